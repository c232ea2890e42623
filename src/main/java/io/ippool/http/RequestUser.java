package io.ippool.http;

import io.ippool.auth.UserInfo;
import io.vertx.ext.web.RoutingContext;

/**
 * The authenticated user of a request: the router's authentication step records it, and the handlers after it
 * (verbs, request log) read it without knowing the router.
 */
public final class RequestUser {
  private static final String KEY = "ippool.user";

  private RequestUser() {
  }

  public static void set(RoutingContext ctx, UserInfo user) {
    ctx.put(KEY, user);
  }

  /** The user, or null before authentication ran. */
  public static UserInfo of(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}
