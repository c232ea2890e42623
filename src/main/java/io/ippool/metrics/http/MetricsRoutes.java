package io.ippool.metrics.http;

import io.ippool.metrics.Metrics;
import io.vertx.ext.web.Router;

/**
 * {@code GET /metrics} in Prometheus text format. Mounted among the authorised routes (ApiRouter's extraRoutes),
 * so reading it takes what any non-resource path takes: {@code kubectl get --raw /metrics} by an authorised user.
 */
public final class MetricsRoutes {
  public static final String PATH = "/metrics";
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private MetricsRoutes() {
  }

  public static void mount(Router router, Metrics metrics) {
    router.get(PATH).handler(ctx ->
        // Rendering every series is CPU work proportional to the number of pools and label sets: done off the
        // event loop so a scrape never delays API requests or watch events.
        ctx.vertx().executeBlocking(metrics::scrape, false).onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
            return;
          }
          ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(ar.result());
        }));
  }
}
