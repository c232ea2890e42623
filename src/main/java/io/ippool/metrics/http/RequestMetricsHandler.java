package io.ippool.metrics.http;

import io.ippool.http.RequestInfo;
import io.ippool.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Records {@code apiserver_request_total} and {@code apiserver_request_duration_seconds} for every request, and
 * {@code apiserver_longrunning_requests} for open watches, with kube-apiserver's names, labels and buckets.
 *
 * <p>A request is counted when its status line is about to be written, i.e. before the client can see the
 * response: a client that scrapes right after a response always sees its request counted. A watch is counted
 * when its stream starts (status known, 200 or an error) and its duration is never observed: it lasts as long as
 * the client wants, and kube-apiserver leaves long-running requests out of the latency histogram too.
 */
public final class RequestMetricsHandler implements Handler<RoutingContext> {
  /** kube-apiserver's buckets for apiserver_request_duration_seconds, in seconds. */
  static final double[] BUCKETS = {0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8,
      10, 15, 20, 30, 45, 60};

  private final MeterRegistry registry;
  private final Predicate<String> servedResource;
  private final Map<io.micrometer.core.instrument.Tags, AtomicLong> longRunning = new ConcurrentHashMap<>();
  private final Duration[] slos;

  public RequestMetricsHandler(Metrics metrics, Predicate<String> servedResource) {
    this.registry = metrics.registry();
    this.servedResource = servedResource;
    this.slos = new Duration[BUCKETS.length];
    for (int i = 0; i < BUCKETS.length; i++) {
      slos[i] = Duration.ofNanos((long) (BUCKETS[i] * 1e9));
    }
  }

  /**
   * Puts this handler before every other route of {@code router}, so that requests refused by authentication
   * or by the body limit are counted too.
   */
  public static void install(Router router, Metrics metrics, Predicate<String> servedResource) {
    router.route().order(-100).handler(new RequestMetricsHandler(metrics, servedResource));
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    var req = ctx.request();
    RequestInfo ri = RequestInfo.parse(req.method().name(), ctx.normalizedPath(), req.getParam("watch"));
    RequestLabels labels = RequestLabels.of(req.method().name(), ri, req.getHeader("Content-Type"),
        req.params().contains("dryRun"), servedResource);
    boolean[] recorded = new boolean[1];
    AtomicLong open = labels.watch() ? openWatches(labels) : null;
    if (open != null) {
      open.incrementAndGet();
    }
    ctx.addHeadersEndHandler(v -> {
      recorded[0] = true;
      record(labels, ctx.response().getStatusCode(), start);
    });
    ctx.addEndHandler(ar -> {
      if (open != null) {
        open.decrementAndGet();
      }
      // The connection went away before any status was written: still one request, as the client saw it.
      if (!recorded[0]) {
        recorded[0] = true;
        record(labels, ctx.response().getStatusCode(), start);
      }
    });
    ctx.next();
  }

  private void record(RequestLabels labels, int code, long startNanos) {
    Counter.builder("apiserver_request_total")
        .description("Counter of apiserver requests broken out for each verb, dry run value, group, version, "
            + "resource, scope, component, and HTTP response code.")
        .tags(labels.tags()).tag("code", Integer.toString(code))
        .register(registry).increment();
    if (!labels.watch()) {
      Timer.builder("apiserver_request_duration")
          .description("Response latency distribution in seconds for each verb, dry run value, group, version, "
              + "resource, subresource, scope and component.")
          .tags(labels.tags())
          .serviceLevelObjectives(slos)
          .register(registry).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
  }

  private AtomicLong openWatches(RequestLabels labels) {
    return longRunning.computeIfAbsent(labels.longRunningTags(), tags -> {
      AtomicLong n = new AtomicLong();
      Gauge.builder("apiserver_longrunning_requests", n, AtomicLong::get)
          .description("Gauge of all active long-running apiserver requests broken out by verb, group, version, "
              + "resource, scope and component.")
          .tags(tags).register(registry);
      return n;
    });
  }
}
