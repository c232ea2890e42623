package io.ippool.reporting;

import java.util.List;

/**
 * The data set the README's SQL reporting section shows output for. Written through the WriteHook and the allocator, then
 * history timestamps are pinned relative to now() so that "last N hours" queries give the same answer
 * on every run.
 *
 * <pre>
 * blue-v4   10.10.0.0/24     ips 10.10.0.10-10.10.0.29, excludeIPs 10.10.0.15
 * blue-v6   fd00:10::/64     ips fd00:10::1-fd00:10::ffff:ffff:ffff:fffe (a whole /64 but ::0 and the last)
 * green-v4  10.20.0.0/24     ips 10.20.0.1-10.20.0.10
 * red-v4    10.30.0.0/28     ips 10.30.0.1-10.30.0.6, spec.disable later
 * SpiderReservedIP infra     10.10.0.28-10.20.0.2  (straddles blue-v4's end and green-v4's start)
 * SpiderReservedIP gateways  10.30.0.1
 * SpiderReservedIP legacy    10.20.0.3             (created after batch/job-0 got that address)
 * shop/web-0..3  dual stack from blue-v4 + blue-v6
 * batch/job-0..5 from green-v4; job-4 and job-5 finished (released)
 * db/pg-0..4     from red-v4 (which they fill)
 * </pre>
 */
final class SampleData {
  private SampleData() {
  }

  static void seed(ReportingFixture r) {
    r.fx.pool("blue-v4", "10.10.0.0/24", List.of("10.10.0.10-10.10.0.29"), List.of("10.10.0.15"), s -> { });
    r.fx.pool("blue-v6", "fd00:10::/64", List.of("fd00:10::1-fd00:10::ffff:ffff:ffff:fffe"), List.of(), s -> { });
    r.fx.pool("green-v4", "10.20.0.0/24", List.of("10.20.0.1-10.20.0.10"));
    r.fx.pool("red-v4", "10.30.0.0/28", List.of("10.30.0.1-10.30.0.6"));
    r.fx.reserve("infra", 4, List.of("10.10.0.28-10.20.0.2"));
    r.fx.reserve("gateways", 4, List.of("10.30.0.1"));
    for (int i = 0; i < 4; i++) {
      r.allocate("shop", "web-" + i, List.of("blue-v4"), List.of("blue-v6"));
    }
    for (int i = 0; i < 6; i++) {
      r.allocate("batch", "job-" + i, List.of("green-v4"), List.of());
    }
    for (int i = 0; i < 5; i++) {
      r.allocate("db", "pg-" + i, List.of("red-v4"), List.of());
    }
    r.fx.reserve("legacy", 4, List.of("10.20.0.3"));
    r.release("batch", "job-4", "eth0");
    r.release("batch", "job-5", "eth0");
    r.fx.pool("red-v4", "10.30.0.0/28", List.of("10.30.0.1-10.30.0.6"), List.of(), s -> s.put("disable", true));
    // History: event i (in recording order) happened 25 minutes after event i-1, the last one 10 minutes
    // ago; allocations carry the time of their allocate event.
    r.exec("""
        UPDATE ipam_allocation_events e
           SET at = now() - interval '10 minutes' - (n.last - n.rn) * interval '25 minutes'
          FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn, count(*) OVER () AS last
                  FROM ipam_allocation_events) n
         WHERE e.id = n.id""");
    r.exec("""
        UPDATE ipam_allocations a SET allocated_at = e.at
          FROM ipam_allocation_events e
         WHERE e.action = 'allocate' AND e.address = a.address AND e.container_id = a.container_id""");
  }
}
