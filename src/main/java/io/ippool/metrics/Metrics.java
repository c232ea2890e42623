package io.ippool.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The process's one metrics registry, scraped at {@code /metrics}. One instance per server, not a static
 * singleton, so that several servers in one test JVM never count each other's requests.
 */
public final class Metrics {
  /**
   * Vert.x's own timers of database work, which it publishes as summaries (count and sum only). Buckets make
   * them histograms, so query latency and pool wait get percentiles across replicas.
   */
  private static final Set<String> DATABASE_TIMERS = Set.of("vertx.sql.processing.time", "vertx.pool.queue.time",
      "vertx.pool.usage");
  private static final double[] DATABASE_BUCKETS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
      0.25, 0.5, 1, 2.5, 5, 10};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public Metrics() {
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!DATABASE_TIMERS.contains(id.getName().replace('_', '.'))) {
          return config;
        }
        double[] nanos = new double[DATABASE_BUCKETS_SECONDS.length];
        for (int i = 0; i < nanos.length; i++) {
          nanos[i] = DATABASE_BUCKETS_SECONDS[i] * 1e9; // timers keep nanoseconds internally
        }
        return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
      }
    });
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Vert.x options that report Vert.x's own metrics into {@link #registry()}: the SQL client (query latency,
   * {@code vertx_sql_*}) and the connection pool (usage, queueing, {@code vertx_pool_*}), plus JVM metrics.
   * HTTP server metrics are off: {@code apiserver_request_*} already describe every request, with labels that
   * mean something to a Kubernetes operator, and per-path HTTP metrics would only double the cost.
   */
  public VertxOptions vertxOptions() {
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setLabels(EnumSet.of(Label.POOL_TYPE, Label.POOL_NAME))
        .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .addDisabledMetricsCategory(MetricsDomain.VERTICLES);
    return new VertxOptions().setMetricsOptions(options);
  }

  /**
   * A Vert.x instance whose metrics land in this registry. Vert.x 5 takes the registry through the builder's
   * metrics factory; options alone would make vertx-micrometer create a registry of its own.
   */
  public Vertx newVertx() {
    return Vertx.builder().with(vertxOptions()).withMetrics(new MicrometerMetricsFactory(registry)).build();
  }

  /** Prometheus text exposition format 0.0.4. */
  public String scrape() {
    return registry.scrape();
  }

  public void close() {
    registry.close();
  }
}
