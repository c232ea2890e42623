package io.ippool.auth;

import io.vertx.core.Future;

/** Decides whether a user may perform a request (Kubernetes authorizer attributes). */
public interface Authorizer {
  record Attributes(UserInfo user, String verb, boolean resourceRequest, String apiGroup, String apiVersion,
                    String namespace, String resource, String subresource, String name, String path) {
  }

  record Decision(boolean allowed, String reason) {
    public static final Decision ALLOW = new Decision(true, "");
  }

  Future<Decision> authorize(Attributes attributes);
}
