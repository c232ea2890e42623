package io.ippool.auth;

import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delegated authorization: asks kube-apiserver with an authorization.k8s.io/v1 SubjectAccessReview, so the
 * cluster's RBAC (including Spiderpool's own ClusterRoles on spiderpool.spidernet.io) decides, exactly as for
 * the CRDs this server replaces. Defaults follow k8s.io/apiserver's DelegatingAuthorizationOptions: members of
 * system:masters and the health paths skip the review; allowed and denied answers are cached 10 s.
 */
public final class SubjectAccessReviewAuthorizer implements Authorizer {
  private static final Logger LOG = LoggerFactory.getLogger(SubjectAccessReviewAuthorizer.class);
  public static final Duration DEFAULT_ALLOW_TTL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_DENY_TTL = Duration.ofSeconds(10);
  public static final Set<String> DEFAULT_ALWAYS_ALLOW_GROUPS = Set.of("system:masters");
  public static final Set<String> DEFAULT_ALWAYS_ALLOW_PATHS = Set.of("/healthz", "/readyz", "/livez");

  private final Vertx vertx;
  private final KubernetesClient client;
  private final Set<String> alwaysAllowGroups;
  private final Set<String> alwaysAllowPaths;
  private final ExpiringCache<List<Object>, Decision> cache;

  public SubjectAccessReviewAuthorizer(Vertx vertx, KubernetesClient client) {
    this(vertx, client, DEFAULT_ALWAYS_ALLOW_GROUPS, DEFAULT_ALWAYS_ALLOW_PATHS, DEFAULT_ALLOW_TTL, DEFAULT_DENY_TTL,
        System::nanoTime);
  }

  public SubjectAccessReviewAuthorizer(Vertx vertx, KubernetesClient client, Set<String> alwaysAllowGroups,
                                       Set<String> alwaysAllowPaths, Duration allowTtl, Duration denyTtl,
                                       LongSupplier nanoClock) {
    this.vertx = vertx;
    this.client = client;
    this.alwaysAllowGroups = Set.copyOf(alwaysAllowGroups);
    this.alwaysAllowPaths = Set.copyOf(alwaysAllowPaths);
    this.cache = new ExpiringCache<>(nanoClock, 8192, d -> d.allowed() ? allowTtl : denyTtl);
  }

  @Override
  public Future<Decision> authorize(Attributes a) {
    for (String g : a.user().groups()) {
      if (alwaysAllowGroups.contains(g)) {
        return Future.succeededFuture(Decision.ALLOW);
      }
    }
    if (!a.resourceRequest() && alwaysAllowPaths.contains(a.path())) {
      return Future.succeededFuture(Decision.ALLOW);
    }
    return cache.get(cacheKey(a), () -> review(a));
  }

  /** Everything the review depends on; a List of Strings/Lists/Maps has the value equality a key needs. */
  private static List<Object> cacheKey(Attributes a) {
    UserInfo u = a.user();
    List<Object> key = new ArrayList<>(List.of(u.name(), u.uid(), u.groups(), new TreeMap<>(u.extra()), a.verb(),
        a.resourceRequest()));
    if (a.resourceRequest()) {
      key.addAll(List.of(a.apiGroup(), a.apiVersion(), a.resource(), a.subresource(), a.namespace(), a.name()));
    } else {
      key.add(a.path());
    }
    return key;
  }

  static SubjectAccessReview request(Attributes a) {
    UserInfo u = a.user();
    var spec = new SubjectAccessReviewBuilder().withNewSpec()
        .withUser(u.name())
        .withGroups(u.groups())
        .withExtra(Map.copyOf(u.extra()))
        .withUid(u.uid().isEmpty() ? null : u.uid());
    if (a.resourceRequest()) {
      spec.withResourceAttributes(new ResourceAttributesBuilder()
          .withGroup(a.apiGroup()).withVersion(a.apiVersion()).withResource(a.resource())
          .withSubresource(a.subresource()).withNamespace(a.namespace()).withName(a.name()).withVerb(a.verb())
          .build());
    } else {
      spec.withNonResourceAttributes(new NonResourceAttributesBuilder().withPath(a.path()).withVerb(a.verb())
          .build());
    }
    return spec.endSpec().build();
  }

  private Future<Decision> review(Attributes a) {
    return vertx.<Decision>executeBlocking(() -> {
      SubjectAccessReviewStatus s = client.authorization().v1().subjectAccessReview().create(request(a)).getStatus();
      return toDecision(s);
    }, false).onFailure(e -> LOG.warn("SubjectAccessReview for user={} verb={} failed: {}", a.user().name(),
        a.verb(), e.getMessage()));
  }

  /** Allowed wins; "denied" and "no opinion" both end in 403 for a delegated server. */
  static Decision toDecision(SubjectAccessReviewStatus s) {
    if (s == null) {
      return new Decision(false, "");
    }
    String reason = s.getReason() == null ? "" : s.getReason();
    if (Boolean.TRUE.equals(s.getAllowed())) {
      return new Decision(true, reason);
    }
    if (reason.isEmpty() && s.getEvaluationError() != null) {
      reason = s.getEvaluationError();
    }
    return new Decision(false, reason);
  }
}
