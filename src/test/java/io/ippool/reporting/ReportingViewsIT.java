package io.ippool.reporting;

import io.ippool.spiderpool.Spiderpool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.ResourceKind;
import io.ippool.store.allocation.AllocFixture;
import java.math.BigInteger;
import java.net.InetAddress;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reporting views against expectations computed independently of both the SQL and the allocator's
 * range code: small pools by expanding every address into Java sets, IPv6 /64s by BigInteger arithmetic
 * written out by hand.
 */
class ReportingViewsIT {
  private static final BigInteger TWO_64 = BigInteger.TWO.pow(64);
  private ReportingFixture r;

  @BeforeEach
  void setUp() {
    r = new ReportingFixture();
  }

  @AfterEach
  void tearDown() {
    r.close();
  }

  // ---- brute force on small IPv4 pools ----

  /** Every address of a Spiderpool range list, as numbers. */
  static Set<Long> expand(List<String> ranges) {
    Set<Long> out = new HashSet<>();
    for (String s : ranges) {
      String[] p = s.split("-");
      long a = v4(p[0]);
      long b = p.length > 1 ? v4(p[1]) : a;
      for (long x = a; x <= b; x++) {
        out.add(x);
      }
    }
    return out;
  }

  static long v4(String ip) {
    return num(ip).longValueExact();
  }

  static BigInteger num(String ip) {
    try {
      return new BigInteger(1, InetAddress.getByName(ip).getAddress());
    } catch (Exception e) {
      throw new IllegalArgumentException(ip, e);
    }
  }

  static String v4(long n) {
    return (n >> 24 & 255) + "." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255);
  }

  private record PoolSpec(String name, List<String> ips, List<String> exclude) {
  }

  /** A random range of 1..span addresses starting in [base+lo, base+hi]. */
  private static String range(Random rnd, long base, int lo, int hi, int span) {
    long a = base + lo + rnd.nextInt(hi - lo + 1);
    long b = a + rnd.nextInt(span);
    return a == b ? v4(a) : v4(a) + "-" + v4(b);
  }

  @Test
  void smallPools_matchBruteForce_withExcludesOverlappingAndStraddlingReservations() {
    Random rnd = new Random(20261126L);
    long net = v4("10.9.0.0");
    List<PoolSpec> pools = new ArrayList<>();
    for (int k = 0; k < 6; k++) {
      long base = net + 256L * k;
      List<String> ips = new ArrayList<>();
      int n = 1 + rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        ips.add(range(rnd, base, 1, 200, 50));
      }
      List<String> exclude = new ArrayList<>();
      for (int i = 0; i < rnd.nextInt(3); i++) {
        exclude.add(range(rnd, base, 1, 240, 20));
      }
      PoolSpec p = new PoolSpec("p" + k, ips, exclude);
      pools.add(p);
      r.fx.pool(p.name(), v4(base) + "/24", ips, exclude, s -> { });
    }
    Map<String, List<String>> reservations = new LinkedHashMap<>();
    // Inside pools, overlapping each other, and across pool boundaries (.250 of one to .10 of the next).
    for (int i = 0; i < 8; i++) {
      reservations.put("in-" + i, List.of(range(rnd, net + 256L * rnd.nextInt(6), 1, 250, 30)));
    }
    for (int k = 0; k < 5; k++) {
      reservations.put("straddle-" + k, List.of(v4(net + 256L * k + 250) + "-" + v4(net + 256L * (k + 1) + 10)));
    }
    reservations.forEach((name, ips) -> r.fx.reserve(name, 4, ips));
    // Another family's reservation on "the same numbers" must not count.
    r.fx.reserve("v6-only", 6, List.of("::a09:0-::a09:5ff"));

    // Allocate until a few pools run dry, then reserve over held addresses and release some pods.
    for (PoolSpec p : pools) {
      int want = rnd.nextInt(40);
      for (int i = 0; i < want; i++) {
        try {
          r.allocate("ns" + (i % 3), p.name() + "-pod" + i, List.of(p.name()), List.of());
        } catch (RuntimeException exhausted) {
          break;
        }
      }
    }
    List<String> held = r.fx.strings("SELECT host(address) FROM ipam_allocations ORDER BY random() LIMIT 12");
    for (int i = 0; i < held.size(); i += 3) {
      reservations.put("late-" + i, held.subList(i, Math.min(i + 2, held.size())));
      r.fx.reserve("late-" + i, 4, reservations.get("late-" + i));
    }
    for (PoolSpec p : pools) {
      for (int i = 0; i < 40; i += 4) {
        r.release("ns" + (i % 3), p.name() + "-pod" + i, "eth0");
      }
    }
    // A terminating reservation no longer counts (the hook drops its ranges).
    String gone = reservations.keySet().iterator().next();
    ObjectNode body = AllocFixture.reservationBody(gone, 4, reservations.remove(gone));
    ((ObjectNode) body.get("metadata")).put("deletionTimestamp", "2026-01-01T00:00:00Z");
    r.fx.put(Spiderpool.RESERVED_IP, body);

    Set<Long> reserved = new HashSet<>();
    reservations.values().forEach(l -> reserved.addAll(expand(l)));
    for (PoolSpec p : pools) {
      Set<Long> ips = expand(p.ips());
      Set<Long> eff = new HashSet<>(ips);
      eff.removeAll(expand(p.exclude()));
      Set<Long> alloc = new HashSet<>();
      r.fx.strings("SELECT host(address) FROM ipam_allocations WHERE pool = $1", p.name())
          .forEach(a -> alloc.add(v4(a)));
      Set<Long> res = new HashSet<>(eff);
      res.retainAll(reserved);
      Set<Long> free = new HashSet<>(eff);
      free.removeAll(reserved);
      free.removeAll(alloc);
      Set<Long> resAlloc = new HashSet<>(alloc);
      resAlloc.retainAll(reserved);

      Map<String, String> row = r.poolRow(p.name());
      String ctx = p + " " + row;
      assertEquals(String.valueOf(eff.size()), row.get("total"), ctx);
      assertEquals(String.valueOf(ips.size() - eff.size()), row.get("excluded"), ctx);
      assertEquals(String.valueOf(res.size()), row.get("reserved"), ctx);
      assertEquals(String.valueOf(alloc.size()), row.get("allocated"), ctx);
      assertEquals(String.valueOf(resAlloc.size()), row.get("reserved_allocated"), ctx);
      assertEquals(String.valueOf(free.size()), row.get("free"), ctx);
      assertEquals(eff.isEmpty() ? null
          : new java.math.BigDecimal(100.0 * (eff.size() - free.size()) / eff.size())
              .setScale(2, java.math.RoundingMode.HALF_UP).toPlainString(), row.get("percent_used"), ctx);
      assertEquals("4", row.get("ip_version"));
    }

    // reserved_ip_holders: every (allocated address, live reservation covering it).
    Set<String> expected = new TreeSet<>();
    for (String a : r.fx.strings("SELECT host(address) FROM ipam_allocations")) {
      reservations.forEach((name, l) -> {
        if (expand(l).contains(v4(a))) {
          expected.add(a + " " + name);
        }
      });
    }
    Set<String> actual = new TreeSet<>();
    r.rows("SELECT host(address) AS a, reservation FROM reporting.reserved_ip_holders")
        .forEach(m -> actual.add(m.get("a") + " " + m.get("reservation")));
    assertEquals(expected, actual);
    assertTrue(!expected.isEmpty(), "the data set must exercise held reservations");
  }

  @Test
  void concurrentReservationWrites_allCounted() throws Exception {
    long base = v4("10.20.0.0");
    r.fx.pool("c", "10.20.0.0/24", List.of("10.20.0.1-10.20.0.254"));
    ExecutorService ex = Executors.newFixedThreadPool(8);
    List<Future<?>> futures = new ArrayList<>();
    Set<Long> expected = new HashSet<>();
    for (int i = 0; i < 24; i++) {
      String ip = v4(base + 1 + i * 7) + "-" + v4(base + 1 + i * 7 + 9); // each overlaps the next
      expected.addAll(expand(List.of(ip)));
      String name = "cc-" + i;
      futures.add(ex.submit(() -> r.fx.reserve(name, 4, List.of(ip))));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    ex.shutdown();
    expected.removeIf(x -> x > base + 254);
    assertEquals(String.valueOf(expected.size()), r.poolRow("c").get("reserved"));
  }

  // ---- IPv6 /64, by hand ----

  @Test
  void ipv6Slash64_countsExactBeyondLong() {
    r.fx.pool("v6", "fd00:1::/64", List.of("fd00:1::1-fd00:1::ffff:ffff:ffff:fffe"),
        List.of("fd00:1::100-fd00:1::1ff"), s -> { });
    r.fx.pool("v6-full", "fd00:2::/64", List.of("fd00:2::-fd00:2::ffff:ffff:ffff:ffff"), List.of(), s -> { });
    // ::f0-::2ff overlaps the excluded ::100-::1ff: counts ::f0-::ff (16) and ::200-::2ff (256).
    r.fx.reserve("low", 6, List.of("fd00:1::f0-fd00:1::2ff"));
    // Overlaps "low" (::280-::2ff counted once) and reaches ::3ff: 256 more.
    r.fx.reserve("low2", 6, List.of("fd00:1::280-fd00:1::3ff"));
    // 2^48 addresses in the middle.
    r.fx.reserve("mid", 6, List.of("fd00:1::1:0:0:0-fd00:1::1:ffff:ffff:ffff"));
    // Straddles the top of the /64 into the next one: inside the pool ::ffff:ffff:0:0..::ffff:ffff:ffff:fffe.
    r.fx.reserve("top", 6, List.of("fd00:1::ffff:ffff:0:0-fd00:2::10"));
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      got.addAll(r.allocate("ns", "six" + i, List.of(), List.of("v6")));
    }
    assertEquals(List.of("fd00:1::1", "fd00:1::2", "fd00:1::3"), got);
    r.fx.reserve("held", 6, List.of("fd00:1::2"));

    BigInteger total = TWO_64.subtract(BigInteger.TWO).subtract(BigInteger.valueOf(256));
    BigInteger reserved = BigInteger.valueOf(16 + 256 + 256)
        .add(BigInteger.TWO.pow(48))
        .add(BigInteger.TWO.pow(32).subtract(BigInteger.ONE))
        .add(BigInteger.ONE);
    Map<String, String> row = r.poolRow("v6");
    assertTrue(total.compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0);
    assertEquals(total.toString(), row.get("total"));
    assertEquals("256", row.get("excluded"));
    assertEquals(reserved.toString(), row.get("reserved"));
    assertEquals("3", row.get("allocated"));
    assertEquals("1", row.get("reserved_allocated"));
    assertEquals(total.subtract(reserved).subtract(BigInteger.valueOf(3)).add(BigInteger.ONE).toString(),
        row.get("free"));
    assertEquals("0.00", row.get("percent_used"));
    assertEquals("fd00:1::/64", row.get("subnet"));
    assertEquals("6", row.get("ip_version"));

    // "top" reaches into fd00:2::/64: ::0 - ::10 of the full pool (17 addresses).
    Map<String, String> full = r.poolRow("v6-full");
    assertEquals(TWO_64.toString(), full.get("total"));
    assertEquals("0", full.get("excluded"));
    assertEquals("17", full.get("reserved"));
    assertEquals(TWO_64.subtract(BigInteger.valueOf(17)).toString(), full.get("free"));

    assertEquals(List.of("fd00:1::2 held ns six1"),
        r.rows("SELECT host(address) AS a, reservation, namespace, pod FROM reporting.reserved_ip_holders").stream()
            .map(m -> m.get("a") + " " + m.get("reservation") + " " + m.get("namespace") + " " + m.get("pod")).toList());
  }

  // ---- dual stack, allocations and history ----

  @Test
  void dualStackPod_oneRowPerFamilyAndInterface_andHistory() {
    r.fx.pool("ds4", "10.30.0.0/24", List.of("10.30.0.10-10.30.0.25"));
    r.fx.pool("ds6", "fd00:30::/120", List.of("fd00:30::10-fd00:30::1f"));
    assertEquals(List.of("10.30.0.10", "fd00:30::10"), r.allocate("apps", "web-0", List.of("ds4"), List.of("ds6")));
    assertEquals(List.of("10.30.0.11", "fd00:30::11"),
        r.allocate("apps", "web-0", "net1", List.of("ds4"), List.of("ds6")));
    List<Map<String, String>> rows = r.rows("""
        SELECT host(address) AS address, pool, namespace, pod, pod_uid, container_id, interface, node, ip_version
          FROM reporting.allocations ORDER BY interface, ip_version""");
    assertEquals(4, rows.size());
    assertEquals(Map.of("address", "10.30.0.10", "pool", "ds4", "namespace", "apps", "pod", "web-0",
        "pod_uid", "uid-web-0", "container_id", "c-apps-web-0", "interface", "eth0", "ip_version", "4"),
        withoutNulls(rows.get(0)));
    assertEquals(null, rows.get(0).get("node")); // standalone metadata knows no node
    assertEquals("fd00:30::11", rows.get(3).get("address"));
    assertEquals("net1", rows.get(3).get("interface"));
    assertEquals("6", rows.get(3).get("ip_version"));
    for (String pool : List.of("ds4", "ds6")) {
      Map<String, String> u = r.poolRow(pool);
      assertEquals("16", u.get("total"));
      assertEquals("2", u.get("allocated"));
      assertEquals("14", u.get("free"));
      assertEquals("12.50", u.get("percent_used"));
    }
    r.release("apps", "web-0", "eth0");
    assertEquals("1", r.poolRow("ds4").get("allocated"));
    assertEquals("1", r.poolRow("ds6").get("allocated"));
    assertEquals(List.of("allocate 10.30.0.10/32 4", "allocate fd00:30::10/128 6", "allocate 10.30.0.11/32 4",
            "allocate fd00:30::11/128 6", "release 10.30.0.10/32 4", "release fd00:30::10/128 6"),
        r.rows("SELECT event, address::text AS a, ip_version FROM reporting.allocation_events "
            + "ORDER BY event = 'release', interface, ip_version")
            .stream().map(m -> m.get("event") + " " + m.get("a") + " " + m.get("ip_version")).toList());
  }

  private static Map<String, String> withoutNulls(Map<String, String> m) {
    Map<String, String> out = new LinkedHashMap<>(m);
    out.values().removeIf(java.util.Objects::isNull);
    return out;
  }

  // ---- cache refresh follows every writer ----

  @Test
  void cachedCountsFollowPoolAndReservationLifecycle() {
    r.fx.pool("life", "10.40.0.0/24", List.of("10.40.0.1-10.40.0.20"), List.of("10.40.0.5"), s -> { });
    assertEquals(List.of("19", "1", "0"), counts("life"));
    r.fx.reserve("rr", 4, List.of("10.40.0.1-10.40.0.8"));
    assertEquals(List.of("19", "1", "7"), counts("life"));
    // Grow the pool and its excludes: total, excluded and reserved all follow.
    r.fx.pool("life", "10.40.0.0/24", List.of("10.40.0.1-10.40.0.40"), List.of("10.40.0.5", "10.40.0.30-10.40.0.31"),
        s -> { });
    assertEquals(List.of("37", "3", "7"), counts("life"));
    r.fx.reserve("rr", 4, List.of("10.40.0.1-10.40.0.2"));
    assertEquals(List.of("37", "3", "2"), counts("life"));
    r.fx.remove(Spiderpool.RESERVED_IP, "rr");
    assertEquals(List.of("37", "3", "0"), counts("life"));
    r.fx.deletePool("life");
    assertEquals(0, r.rows("SELECT * FROM reporting.pool_utilization WHERE pool = 'life'").size());
    assertEquals(0, r.rows("SELECT * FROM reporting.pool_capacity").size());
  }

  @Test
  void terminatingAndDisabledPoolsAreFlagged() {
    r.fx.pool("t", "10.41.0.0/24", List.of("10.41.0.1-10.41.0.4"), List.of(), s -> s.put("disable", true));
    r.fx.pool("u", "10.42.0.0/24", List.of("10.42.0.1-10.42.0.4"));
    r.allocate("ns", "keep", List.of("u"), List.of());
    r.fx.deletePool("u"); // keeps the finalizer while a pod holds an address
    assertEquals("t", r.poolRow("t").get("disabled"));
    assertEquals("f", r.poolRow("t").get("terminating"));
    assertEquals("t", r.poolRow("u").get("terminating"));
    assertEquals("1", r.poolRow("u").get("allocated"));
  }

  private List<String> counts(String pool) {
    Map<String, String> m = r.poolRow(pool);
    return List.of(m.get("total"), m.get("excluded"), m.get("reserved"));
  }

  // ---- retention ----

  @Test
  void pruneAllocationEvents_deletesOnlyOlderThanRetention_inBatches() {
    r.fx.pool("h", "10.50.0.0/24", List.of("10.50.0.1-10.50.0.100"));
    for (int i = 0; i < 10; i++) {
      r.allocate("ns", "h" + i, List.of("h"), List.of());
    }
    r.exec("UPDATE ipam_allocation_events SET at = now() - interval '40 days' WHERE id IN "
        + "(SELECT id FROM ipam_allocation_events ORDER BY id LIMIT 7)");
    // Old events the watch history still needs (newer than the compaction point) are kept whatever their age.
    assertEquals("0", r.rows("SELECT reporting.prune_allocation_events('30 days', 5) AS n").get(0).get("n"));
    r.exec("UPDATE compaction_state SET compacted_before = (SELECT value FROM revision_counter)");
    assertEquals("5", r.rows("SELECT reporting.prune_allocation_events('30 days', 5) AS n").get(0).get("n"));
    assertEquals("2", r.rows("SELECT reporting.prune_allocation_events('30 days', 5) AS n").get(0).get("n"));
    assertEquals("0", r.rows("SELECT reporting.prune_allocation_events('30 days') AS n").get(0).get("n"));
    assertEquals("3", r.rows("SELECT count(*) AS n FROM reporting.allocation_events").get(0).get("n"));
    assertThrows(IllegalStateException.class, () -> r.rows("SELECT reporting.prune_allocation_events('-1 day')"));
  }

  // ---- the role ----

  @Test
  void reportingRole_readsTheViewsAndNothingElse() throws SQLException {
    r.fx.pool("sec", "10.60.0.0/24", List.of("10.60.0.1-10.60.0.9"));
    r.fx.reserve("sec-r", 4, List.of("10.60.0.1"));
    r.allocate("ns", "a", List.of("sec"), List.of());
    r.fx.reserve("sec-r", 4, List.of("10.60.0.1-10.60.0.2")); // now holds a pod's address
    try (Statement s = r.jdbc.createStatement()) {
      s.execute("SET ROLE ippool_reporting");
      // The views work with the role's rights (they read the base tables as their owner).
      assertEquals("1", r.rows("SELECT allocated FROM reporting.pool_utilization").get(0).get("allocated"));
      assertEquals(1, r.rows("SELECT * FROM reporting.reserved_ip_holders").size());
      assertEquals(1, r.rows("SELECT * FROM reporting.allocations").size());
      assertEquals(1, r.rows("SELECT * FROM reporting.allocation_events").size());
      for (String denied : List.of(
          "SELECT * FROM resources", "SELECT * FROM ipam_allocations", "SELECT * FROM ipam_pools",
          "SELECT * FROM ipam_reserved_ranges", "SELECT * FROM ipam_allocation_events",
          "SELECT * FROM reporting.pool_capacity", "SELECT * FROM reporting.pool_reserved_pieces",
          "SELECT * FROM flyway_schema_history",
          // The simple views are auto-updatable in PostgreSQL: only SELECT was granted.
          "DELETE FROM reporting.allocations",
          "UPDATE reporting.allocation_events SET pod = 'x'",
          "INSERT INTO ipam_allocation_events (action, family, address, pool, container_id, if_name, pod_namespace, "
              + "pod_name, pod_uid) VALUES ('allocate', 4, '10.0.0.1', 'p', 'c', 'eth0', 'n', 'p', 'u')",
          "SELECT reporting.prune_allocation_events('0')",
          "SELECT reporting.refresh_pools(ARRAY['sec'], true)",
          "CREATE TABLE reporting.mine (x int)",
          "CREATE TABLE public.mine (x int)", // PostgreSQL 15+: PUBLIC no longer has CREATE on public
          // Invoker-rights allocator functions still hit the table privileges.
          "SELECT ipam_allocate_batch('{\"pools\": {}, \"jobs\": []}')",
          "SELECT ipam_release_batch('{}', '{}', '{}', '{}', '{}', ARRAY['ns'], ARRAY['pod'], ARRAY[''])")) {
        SQLException e = assertThrows(SQLException.class, () -> s.execute(denied), denied);
        assertEquals("42501", e.getSQLState(), denied + ": " + e.getMessage());
      }
      s.execute("RESET ROLE");
    }
    assertEquals(1, r.rows("SELECT * FROM ipam_allocations").size());
  }
}
