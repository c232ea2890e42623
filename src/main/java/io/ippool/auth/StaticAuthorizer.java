package io.ippool.auth;

import io.vertx.core.Future;
import java.util.Set;

/**
 * Standalone mode's policy: members of the admin groups may do anything; everyone may read discovery and
 * health; nothing else is allowed.
 */
public final class StaticAuthorizer implements Authorizer {
  private static final Set<String> PUBLIC_PATHS = Set.of("/version", "/healthz", "/livez", "/readyz", "/api",
      "/apis", "/openapi/v2", "/openapi/v3");
  private final Set<String> adminGroups;

  public StaticAuthorizer(Set<String> adminGroups) {
    this.adminGroups = Set.copyOf(adminGroups);
  }

  @Override
  public Future<Decision> authorize(Attributes a) {
    for (String g : a.user().groups()) {
      if (adminGroups.contains(g)) {
        return Future.succeededFuture(Decision.ALLOW);
      }
    }
    if (!a.resourceRequest() && a.verb().equals("get") && (PUBLIC_PATHS.contains(a.path())
        || a.path().startsWith("/apis/") || a.path().startsWith("/openapi/"))
        && a.user().groups().contains("system:authenticated")) {
      return Future.succeededFuture(Decision.ALLOW);
    }
    return Future.succeededFuture(new Decision(false, ""));
  }
}
