package io.ippool.metrics;

import io.ippool.store.stats.PoolStats;
import io.ippool.store.Revisions;
import io.ippool.store.watch.EventHub;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges that need the database, refreshed by a timer rather than at scrape time: a scrape then never waits for
 * PostgreSQL (and never fails because of it), and N scrapers cost the database nothing more than one.
 * <ul>
 *   <li>{@code ippool_pool_addresses{pool,state="allocated|reserved|free"}}: states that partition the pool, so
 *       {@code sum by (pool)} is its size; {@code ippool_pool_capacity_addresses{pool}} is that size and
 *       {@code ippool_pool_reserved_held_addresses{pool}} the reserved addresses pods still hold (counted as
 *       allocated); one query for all pools;</li>
 *   <li>{@code ippool_database_up}: 1 when the last probe's query succeeded, 0 when PostgreSQL did not answer
 *       (the probe runs on the server's own pool, so this is what the API sees);</li>
 *   <li>{@code ippool_event_log_revision}: last committed resourceVersion ({@code revision_counter});</li>
 *   <li>{@code ippool_watch_dispatched_revision}: last revision this process offered its watchers;</li>
 *   <li>{@code ippool_watch_event_lag_revisions}: the difference, i.e. committed writes watchers have not seen;</li>
 *   <li>{@code ippool_watch_subscribers}: open watch subscriptions on this process's event hub.</li>
 * </ul>
 */
public final class MetricsProbes {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsProbes.class);
  public static final long DEFAULT_PERIOD_MS = 10_000;

  private final Pool pool;
  private final EventHub hub;
  private final PoolStats.Source pools;
  private final MultiGauge poolAddresses;
  private final MultiGauge poolCapacity;
  private final MultiGauge reservedHeld;
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong lag = new AtomicLong();
  private final AtomicLong databaseUp = new AtomicLong();
  private Vertx vertx;
  private long timer = -1;
  private boolean running;

  public MetricsProbes(Metrics metrics, Pool pool, EventHub hub, PoolStats.Source pools) {
    this.pool = pool;
    this.hub = hub;
    this.pools = pools;
    MeterRegistry r = metrics.registry();
    poolAddresses = MultiGauge.builder("ippool_pool_addresses")
        .description("Addresses of each SpiderIPPool by state; the states partition the pool: allocated (held by "
            + "pods), reserved (held back by SpiderReservedIPs, no pod holds it), free (the rest).")
        .register(r);
    poolCapacity = MultiGauge.builder("ippool_pool_capacity_addresses")
        .description("Addresses of each SpiderIPPool: spec.ips minus spec.excludeIPs (status.totalIPCount).")
        .register(r);
    reservedHeld = MultiGauge.builder("ippool_pool_reserved_held_addresses")
        .description("Addresses of each SpiderIPPool that a SpiderReservedIP holds back but a pod still holds, "
            + "because the pod got it before the reservation was made.")
        .register(r);
    Gauge.builder("ippool_database_up", databaseUp, AtomicLong::get)
        .description("1 when the last probe reached PostgreSQL through the server's pool, else 0.").register(r);
    Gauge.builder("ippool_event_log_revision", committed, AtomicLong::get)
        .description("Last committed resourceVersion (revision_counter), as of the last probe.").register(r);
    Gauge.builder("ippool_watch_dispatched_revision", hub, EventHub::lastDispatched)
        .description("Last resourceVersion this process has dispatched to its watchers.").register(r);
    Gauge.builder("ippool_watch_event_lag_revisions", lag, AtomicLong::get)
        .description("Committed revisions not yet dispatched to watchers, as of the last probe.").register(r);
    Gauge.builder("ippool_watch_subscribers", hub, EventHub::subscriberCount)
        .description("Watch subscriptions open on this process's event hub.").register(r);
  }

  /** Refreshes now, then every {@code periodMs}. */
  public MetricsProbes start(Vertx vertx, long periodMs) {
    this.vertx = vertx;
    refresh();
    timer = vertx.setPeriodic(periodMs, id -> refresh());
    return this;
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /**
   * One probe of both sources. A probe still running when the timer fires again is not doubled: a slow
   * database must not pile up probe queries on the pool the API needs.
   */
  public synchronized Future<Void> refresh() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    Future<Void> revision = Revisions.current(pool).<Void>map(current -> {
      committed.set(current);
      // A write may commit and be dispatched between our read and now: never report negative lag.
      lag.set(Math.max(0, current - hub.lastDispatched()));
      databaseUp.set(1);
      return null;
    }).onFailure(e -> databaseUp.set(0));
    Future<Void> addresses = pools.read().map(stats -> {
      List<MultiGauge.Row<?>> rows = new ArrayList<>(stats.size() * 3);
      List<MultiGauge.Row<?>> capacity = new ArrayList<>(stats.size());
      List<MultiGauge.Row<?>> held = new ArrayList<>(stats.size());
      for (PoolStats s : stats) {
        rows.add(MultiGauge.Row.of(Tags.of("pool", s.pool(), "state", "allocated"), s.allocated()));
        rows.add(MultiGauge.Row.of(Tags.of("pool", s.pool(), "state", "reserved"), s.reservedFree()));
        rows.add(MultiGauge.Row.of(Tags.of("pool", s.pool(), "state", "free"), s.free()));
        capacity.add(MultiGauge.Row.of(Tags.of("pool", s.pool()), s.total()));
        held.add(MultiGauge.Row.of(Tags.of("pool", s.pool()), s.reservedHeld()));
      }
      // overwrite: series of deleted pools disappear instead of showing their last value forever.
      poolAddresses.register(rows, true);
      poolCapacity.register(capacity, true);
      reservedHeld.register(held, true);
      return null;
    });
    return Future.join(revision, addresses).<Void>mapEmpty()
        .onFailure(e -> LOG.debug("metrics probe failed: {}", e.getMessage()))
        .onComplete(ar -> {
          synchronized (this) {
            running = false;
          }
        });
  }
}
