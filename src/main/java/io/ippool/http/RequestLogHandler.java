package io.ippool.http;

import io.ippool.auth.UserInfo;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DEBUG line per request when it ends: method, path, code, duration and user, as key/value pairs (text
 * {@code key="value"}, or JSON fields with {@code --log-format json}). Never headers, query strings, bodies or
 * certificates: a path names at most an object, while a query or a body may carry anything a client sends.
 * Watches are logged when they end, with their whole duration.
 */
public final class RequestLogHandler implements Handler<RoutingContext> {
  /** A logger of its own, so operators can turn request lines on or off apart from the rest. */
  static final Logger LOG = LoggerFactory.getLogger("io.ippool.http.requests");

  public static void install(Router router) {
    router.route().order(-99).handler(new RequestLogHandler());
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!LOG.isDebugEnabled()) {
      ctx.next();
      return;
    }
    long start = System.nanoTime();
    String method = ctx.request().method().name();
    String path = ctx.request().path();
    ctx.addEndHandler(ar -> {
      UserInfo user = RequestUser.of(ctx);
      LOG.atDebug()
          .addKeyValue("method", method)
          .addKeyValue("path", path)
          .addKeyValue("code", ctx.response().getStatusCode())
          .addKeyValue("durationMs", String.format(java.util.Locale.ROOT, "%.3f", (System.nanoTime() - start) / 1e6))
          .addKeyValue("user", user == null ? "" : user.name())
          .log("request");
    });
    ctx.next();
  }
}
