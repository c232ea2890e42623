package io.ippool.metrics;

import io.ippool.spiderpool.GcReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@link AllocationMetrics} as Prometheus series:
 * <ul>
 *   <li>{@code ippool_allocations_total{pool,result="success|failure"}}</li>
 *   <li>{@code ippool_releases_total{pool,result="success|failure"}}</li>
 *   <li>{@code ippool_allocation_duration_seconds{pool}} (histogram)</li>
 *   <li>{@code ippool_allocation_failures_total{pool,reason}}</li>
 *   <li>{@code ippool_gc_reclaimed_total{reason}} (every reason present from the start, at 0)</li>
 * </ul>
 */
public final class MicrometerAllocationMetrics implements AllocationMetrics {
  /** An allocation is one or a few short transactions: buckets from 1 ms, up to the CNI plugin's patience. */
  private static final Duration[] BUCKETS = {ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250),
      ms(500), ms(1000), ms(2500), ms(5000), ms(10000)};

  private final MeterRegistry registry;

  public MicrometerAllocationMetrics(Metrics metrics) {
    this.registry = metrics.registry();
    // Every reason is exported from the start at 0: a series born at its first increment hides that increment
    // from increase() and rate(), so an alert on a burst of reclaims would miss the burst that created it.
    for (GcReason reason : GcReason.values()) {
      reclaimed(reason.label());
    }
  }

  @Override
  public void onAllocate(String pool, boolean ok, double seconds) {
    Counter.builder("ippool_allocations_total")
        .description("IP allocation requests by pool and result.")
        .tag("pool", label(pool)).tag("result", ok ? "success" : "failure")
        .register(registry).increment();
    Timer.builder("ippool_allocation_duration")
        .description("Time to allocate an IP, from request to commit, by pool.")
        .tag("pool", label(pool))
        .serviceLevelObjectives(BUCKETS)
        .register(registry).record((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
  }

  @Override
  public void onRelease(String pool, boolean ok) {
    Counter.builder("ippool_releases_total")
        .description("IP release requests by pool and result.")
        .tag("pool", label(pool)).tag("result", ok ? "success" : "failure")
        .register(registry).increment();
  }

  @Override
  public void onFailure(String pool, String reason) {
    Counter.builder("ippool_allocation_failures_total")
        .description("Failed IP allocations by pool and reason.")
        .tag("pool", label(pool)).tag("reason", label(reason))
        .register(registry).increment();
  }

  @Override
  public void onReclaimed(String reason, int addresses) {
    reclaimed(label(reason)).increment(addresses);
  }

  private Counter reclaimed(String reason) {
    return Counter.builder("ippool_gc_reclaimed_total")
        .description("Addresses reclaimed by garbage collection, by reason.")
        .tag("reason", reason)
        .register(registry);
  }

  private static String label(String s) {
    return s == null ? "" : s;
  }

  private static Duration ms(double millis) {
    return Duration.ofNanos((long) (millis * 1_000_000));
  }
}
