package io.ippool.ipam;

import io.ippool.store.allocation.SqlAllocationRepository;
import static io.ippool.store.allocation.AllocFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.store.allocation.AllocFixture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two allocators with their own Vert.x and connection pools (two "server processes") on one database,
 * 64 closed-loop clients, 5,000 allocations, while reservations are added.
 */
class AllocatorConcurrencyIT {
  private static final int TOTAL = 5000;
  private static final int CLIENTS = 64;

  @Test
  void twoProcesses_64Clients_noDuplicates_reservationsRespected() throws Exception {
    try (AllocFixture a = AllocFixture.fresh(); AllocFixture b = AllocFixture.on(a.url, 8)) {
      a.pool("big", "10.20.0.0/16", List.of("10.20.0.1-10.20.255.254"));
      AllocatorConfig cfg = AllocatorConfig.defaults().withMaxAllocatedIPs(0);
      Allocator[] allocators = {
          new Allocator(new SqlAllocationRepository(a.db), KubeMetadata.standalone(), cfg),
          new Allocator(new SqlAllocationRepository(b.db), KubeMetadata.standalone(), cfg)};
      AtomicInteger issued = new AtomicInteger();
      Set<String> handedOut = ConcurrentHashMap.newKeySet();
      AtomicInteger duplicatesSeen = new AtomicInteger();

      // Reservations land while allocation runs; remember (after commit) when each was surely visible.
      List<String[]> reservations = new ArrayList<>();
      Thread reserver = new Thread(() -> {
        for (int k = 1; k <= 30; k += 2) {
          String name = "r" + k;
          List<String> warnings = a.reserve(name, 4, List.of("10.20." + k + ".100-10.20." + k + ".149"));
          String committed = a.strings("SELECT clock_timestamp()::text").get(0);
          synchronized (reservations) {
            reservations.add(new String[] {name, committed, String.join("\n", warnings)});
          }
          try {
            Thread.sleep(25);
          } catch (InterruptedException e) {
            return;
          }
        }
      });

      List<Future<Void>> clients = new ArrayList<>();
      reserver.start();
      for (int c = 0; c < CLIENTS; c++) {
        Allocator alloc = allocators[c % 2];
        Promise<Void> done = Promise.promise();
        loop(alloc, issued, handedOut, duplicatesSeen, done);
        clients.add(done.future());
      }
      await(Future.all(clients));
      reserver.join();

      assertEquals(0, duplicatesSeen.get());
      assertEquals(TOTAL, handedOut.size());
      assertEquals(TOTAL, a.scalar("SELECT count(*) FROM ipam_allocations"));
      assertEquals(TOTAL, a.scalar("SELECT count(DISTINCT address) FROM ipam_allocations"));
      assertEquals(TOTAL, a.scalar("SELECT allocated_count FROM ipam_pools WHERE pool = 'big'"));
      assertEquals(TOTAL, a.served("big").path("status").path("allocatedIPCount").asLong());
      assertEquals(TOTAL, a.scalar("SELECT count(*) FROM ipam_allocation_events WHERE action = 'allocate'"));
      // No address reserved before its allocation's transaction began was handed out.
      for (String[] r : reservations) {
        long violations = a.scalar("""
            SELECT count(*) FROM ipam_allocations x JOIN ipam_reserved_ranges r
              ON r.reservation = $1 AND x.address_num BETWEEN r.first_num AND r.last_num
             WHERE x.allocated_at > $2::text::timestamptz""", r[0], r[1]);
        assertEquals(0, violations, "reservation " + r[0]);
        // Commit order: every allocation inside the reservation was published before it (a lower
        // resourceVersion), and the reservation's warning counted each of those holders.
        long after = a.scalar("""
            SELECT count(*) FROM ipam_allocations x JOIN ipam_reserved_ranges r
              ON r.reservation = $1 AND x.family = r.family AND x.address_num BETWEEN r.first_num AND r.last_num
             WHERE x.revision > (SELECT resource_version FROM resources
                                  WHERE resource = 'spiderreservedips' AND name = $1)""", r[0]);
        assertEquals(0, after, "allocations committed after reservation " + r[0]);
        long holders = a.scalar("""
            SELECT count(*) FROM ipam_allocations x JOIN ipam_reserved_ranges r
              ON r.reservation = $1 AND x.family = r.family AND x.address_num BETWEEN r.first_num AND r.last_num""",
            r[0]);
        assertEquals(holders, namedHolders(r[2]), "holders in the warning of " + r[0] + ": " + r[2]);
      }
      // Lowest-free order: below the highest allocated address, every address is allocated or reserved.
      long holes = a.scalar("""
          SELECT count(*) FROM generate_series(
                   (SELECT min(address_num) FROM ipam_allocations)::bigint,
                   (SELECT max(address_num) FROM ipam_allocations)::bigint) AS g(n)
           WHERE NOT EXISTS (SELECT 1 FROM ipam_allocations x WHERE x.family = 4 AND x.address_num = g.n)
             AND NOT EXISTS (SELECT 1 FROM ipam_reserved_ranges r WHERE r.family = 4 AND r.span @> g.n::numeric)""");
      assertEquals(0, holes);
      // Coalescing happened: far fewer pool revisions than allocations.
      long events = a.scalar("SELECT count(*) FROM resource_events WHERE name = 'big'");
      assertTrue(events < TOTAL, "events " + events);
    }
  }

  /** "... covers addresses in use: ip (ns/pod), ip (ns/pod), and N more": the holders it accounts for. */
  private static long namedHolders(String warning) {
    if (warning.isEmpty()) {
      return 0;
    }
    String list = warning.substring(warning.indexOf(": ") + 2);
    long named = list.split("\\), ").length;
    java.util.regex.Matcher more = java.util.regex.Pattern.compile("and (\\d+) more$").matcher(list);
    return more.find() ? named - 1 + Long.parseLong(more.group(1)) : named;
  }

  private static void loop(Allocator alloc, AtomicInteger issued, Set<String> handedOut, AtomicInteger dups,
                           Promise<Void> done) {
    int n = issued.getAndIncrement();
    if (n >= TOTAL) {
      done.tryComplete();
      return;
    }
    AddArgs args = new AddArgs("ctr-" + n, "eth0", "", "load", "pod-" + n, "uid-" + n, List.of("big"), List.of(),
        false, false);
    alloc.allocate(args).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      if (!handedOut.add(ar.result().ips().get(0).address())) {
        dups.incrementAndGet();
      }
      loop(alloc, issued, handedOut, dups, done);
    });
  }
}
