package io.ippool.auth;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer tokens (service account tokens, OIDC, anything kube-apiserver accepts) checked by POSTing an
 * authentication.k8s.io/v1 TokenReview, as a delegated apiserver does. Answers are cached briefly so a
 * client's burst of requests costs one review. Tokens are never logged and are cached only as SHA-256 digests.
 */
public final class TokenReviewAuthenticator implements Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(TokenReviewAuthenticator.class);
  public static final Duration DEFAULT_SUCCESS_TTL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_FAILURE_TTL = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final KubernetesClient client;
  private final List<String> audiences;
  private final ExpiringCache<String, Review> cache;

  /** The outcome of one review: a user, or the reason the token was rejected. */
  private record Review(UserInfo user, String error) {
  }

  public TokenReviewAuthenticator(Vertx vertx, KubernetesClient client) {
    this(vertx, client, List.of(), DEFAULT_SUCCESS_TTL, DEFAULT_FAILURE_TTL, System::nanoTime);
  }

  /**
   * @param audiences sent in the review and required in its answer when not empty (--authentication-audiences)
   * @param nanoClock for tests; System::nanoTime otherwise
   */
  public TokenReviewAuthenticator(Vertx vertx, KubernetesClient client, List<String> audiences,
                                  Duration successTtl, Duration failureTtl, LongSupplier nanoClock) {
    this.vertx = vertx;
    this.client = client;
    this.audiences = List.copyOf(audiences);
    this.cache = new ExpiringCache<>(nanoClock, 4096, r -> r.user() != null ? successTtl : failureTtl);
  }

  @Override
  public Future<UserInfo> authenticate(AuthRequest request) {
    String token = bearerToken(request.headers().get("Authorization"));
    if (token == null) {
      return Future.succeededFuture(null);
    }
    return cache.get(digest(token), () -> review(token)).compose(r -> r.user() != null
        ? Future.succeededFuture(r.user())
        : Future.failedFuture(new AuthenticationException("invalid bearer token" + r.error())));
  }

  /** "Bearer TOKEN", scheme case-insensitive, as k8s.io/apiserver's bearertoken authenticator reads it. */
  static String bearerToken(String header) {
    if (header == null) {
      return null;
    }
    String[] parts = header.trim().split(" ", 3);
    if (parts.length < 2 || !parts[0].equalsIgnoreCase("bearer") || parts[1].isEmpty()) {
      return null;
    }
    return parts[1];
  }

  private Future<Review> review(String token) {
    return vertx.<Review>executeBlocking(() -> {
      TokenReview tr = new TokenReviewBuilder().withNewSpec().withToken(token).withAudiences(audiences).endSpec()
          .build();
      return toReview(client.authentication().v1().tokenReviews().create(tr).getStatus());
    }, false).onFailure(e -> LOG.warn("TokenReview failed: {}", e.getMessage()));
  }

  private Review toReview(TokenReviewStatus s) {
    if (s == null || !Boolean.TRUE.equals(s.getAuthenticated()) || s.getUser() == null
        || s.getUser().getUsername() == null || s.getUser().getUsername().isEmpty()) {
      String err = s == null || s.getError() == null || s.getError().isEmpty() ? "" : ": " + s.getError();
      return new Review(null, err);
    }
    if (!audiences.isEmpty() && (s.getAudiences() == null
        || s.getAudiences().stream().noneMatch(audiences::contains))) {
      return new Review(null, ": token audiences " + s.getAudiences() + " do not include " + audiences);
    }
    var u = s.getUser();
    Map<String, List<String>> extra = new LinkedHashMap<>();
    if (u.getExtra() != null) {
      u.getExtra().forEach((k, v) -> extra.put(k, v == null ? List.of() : List.copyOf(v)));
    }
    List<String> groups = u.getGroups() == null ? List.of() : u.getGroups();
    return new Review(new UserInfo(u.getUsername(), groups, extra, u.getUid()).withAuthenticatedGroup(), "");
  }

  private static String digest(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
