package io.ippool.auth;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Tries authenticators in order — request header, x509, token — and falls back to anonymous, with
 * k8s.io/apiserver's union semantics: the first user wins; an authenticator that found credentials it could
 * not accept does not stop the others (a user certificate is not a front-proxy one), but if nobody accepts
 * the request and any credentials were refused, the answer is 401, never anonymous (a bad token must not
 * silently become system:anonymous). Every authenticated user gets system:authenticated.
 */
public final class AuthenticatorChain implements Authenticator {
  private final List<Authenticator> authenticators;
  private final boolean anonymous;

  /** @param anonymous whether requests without credentials become system:anonymous (else they fail) */
  public AuthenticatorChain(List<Authenticator> authenticators, boolean anonymous) {
    this.authenticators = List.copyOf(authenticators);
    this.anonymous = anonymous;
  }

  public Future<UserInfo> authenticate(HttpServerRequest request) {
    return authenticate(AuthRequest.of(request));
  }

  @Override
  public Future<UserInfo> authenticate(AuthRequest request) {
    return next(request, 0, new ArrayList<>());
  }

  private Future<UserInfo> next(AuthRequest request, int i, List<String> refusals) {
    if (i == authenticators.size()) {
      if (!refusals.isEmpty()) {
        return Future.failedFuture(new AuthenticationException(String.join("; ", refusals)));
      }
      return anonymous ? Future.succeededFuture(UserInfo.ANONYMOUS)
          : Future.failedFuture(new AuthenticationException("no credentials"));
    }
    Future<UserInfo> f;
    try {
      f = authenticators.get(i).authenticate(request);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.transform(ar -> {
      if (ar.succeeded() && ar.result() != null) {
        return Future.succeededFuture(ar.result().withAuthenticatedGroup());
      }
      if (ar.failed()) {
        refusals.add(ar.cause() instanceof AuthenticationException ? ar.cause().getMessage()
            : "authenticator error: " + ar.cause());
      }
      return next(request, i + 1, refusals);
    });
  }
}
