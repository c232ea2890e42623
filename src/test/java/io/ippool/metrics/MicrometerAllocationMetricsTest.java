package io.ippool.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MicrometerAllocationMetricsTest {
  @Test
  void eachCallMovesItsSeriesByOne() {
    Metrics metrics = new Metrics();
    AllocationMetrics m = new MicrometerAllocationMetrics(metrics);
    m.onAllocate("pool-a", true, 0.003);
    m.onAllocate("pool-a", true, 0.004);
    m.onAllocate("pool-a", false, 0.2);
    m.onFailure("pool-a", "exhausted");
    m.onRelease("pool-a", true);
    m.onRelease("", false);

    PromText p = new PromText(metrics.scrape());
    assertEquals(2, p.sum("ippool_allocations_total", "pool", "pool-a", "result", "success"));
    assertEquals(1, p.sum("ippool_allocations_total", "pool", "pool-a", "result", "failure"));
    assertEquals(1, p.sum("ippool_allocation_failures_total", "pool", "pool-a", "reason", "exhausted"));
    assertEquals(1, p.sum("ippool_releases_total", "pool", "pool-a", "result", "success"));
    assertEquals(1, p.sum("ippool_releases_total", "pool", "", "result", "failure"));
    assertEquals(3, p.sum("ippool_allocation_duration_seconds_count", "pool", "pool-a"));
    assertEquals(2, p.sum("ippool_allocation_duration_seconds_bucket", "pool", "pool-a", "le", "0.005"));
    assertEquals(0.207, p.sum("ippool_allocation_duration_seconds_sum", "pool", "pool-a"), 1e-6);
  }

  @Test
  void everyGcReasonIsExportedAtZero_thenCountsAddresses() {
    Metrics metrics = new Metrics();
    AllocationMetrics m = new MicrometerAllocationMetrics(metrics);
    PromText before = new PromText(metrics.scrape());
    for (io.ippool.spiderpool.GcReason r : io.ippool.spiderpool.GcReason.values()) {
      assertEquals(1, before.find("ippool_gc_reclaimed_total", "reason", r.label()).size(), r.label());
      assertEquals(0, before.sum("ippool_gc_reclaimed_total", "reason", r.label()), r.label());
    }
    m.onReclaimed("pod_deleted", 3);
    m.onReclaimed("pod_deleted", 2);
    PromText after = new PromText(metrics.scrape());
    assertEquals(5, after.sum("ippool_gc_reclaimed_total", "reason", "pod_deleted"));
    assertEquals(0, after.sum("ippool_gc_reclaimed_total", "reason", "node_deleted"));
  }
}
