package io.ippool.store.allocation;

import static io.ippool.store.allocation.AllocFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.spiderpool.Spiderpool;
import io.ippool.ipam.Allocator;
import io.ippool.ipam.AllocatorConfig;
import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.DelArgs;
import io.ippool.ipam.KubeMetadata;
import io.ippool.store.StatusProjection;
import io.ippool.store.watch.EventHub;
import io.ippool.store.watch.EventSubscriber;
import io.ippool.store.watch.StoredEvent;
import io.vertx.core.Future;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The coalescing contract of full-object watchers, on a pool changed by concurrent allocation batches: every
 * event delivered is the pool's exact state at its resourceVersion (checked against the database's own
 * rebuild), resourceVersions only go up, the final state arrives, and a metadata-only watcher keeps every event.
 */
class CoalescedWatchIT {
  private static final Map<String, StatusProjection> PROJECTIONS =
      Map.of(Spiderpool.IPPOOL.plural(), new PoolStatusProjection());
  private static final String STATUS_AT = "SELECT allocated_ips FROM ipam_pool_status_at($1, $2)";

  private AllocFixture fx;
  private Allocator alloc;
  private EventHub hub;

  @BeforeEach
  void setUp() {
    fx = AllocFixture.fresh();
    alloc = new Allocator(new SqlAllocationRepository(fx.db), KubeMetadata.standalone(), AllocatorConfig.defaults());
    fx.pool("busy", "10.30.0.0/22", List.of("10.30.0.1-10.30.3.250"));
    fx.pool("quiet", "10.31.0.0/24", List.of("10.31.0.1-10.31.0.200"));
    PgConnectOptions o = new PgConnectOptions().setHost(fx.url.host()).setPort(fx.url.port())
        .setDatabase(fx.url.database()).setUser(fx.url.user()).setPassword(fx.url.password());
    hub = new EventHub(fx.vertx, fx.db, o, PROJECTIONS, 200);
    await(hub.start());
  }

  @AfterEach
  void tearDown() {
    await(hub.stop());
    fx.close();
  }

  @Test
  void fullObjectWatchersGetExactLatestStatesInOrder_metadataWatchersEveryEvent() throws Exception {
    // Held before the watch: the hub loads them once, then follows the batches.
    for (int i = 0; i < 50; i++) {
      allocate("pre" + i, "busy");
    }
    long from = fx.scalar("SELECT value FROM revision_counter");
    Recorder full = new Recorder(true);
    Recorder full2 = new Recorder(true);
    Recorder metadata = new Recorder(false);
    hub.subscribe(from, full);
    hub.subscribe(from, full2);
    hub.subscribe(from, metadata);
    awaitSubscribers(3);

    // Bursts of concurrent allocations and releases: many batches, each its own MODIFIED event.
    for (int round = 0; round < 6; round++) {
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        work.add(alloc.allocate(args("r" + round + "-" + i, "busy")));
      }
      for (int i = 0; i < 5; i++) {
        work.add(alloc.release(new DelArgs("c-pre" + (round * 5 + i), "eth0", null, "default",
            "pre" + (round * 5 + i), "uid-pre" + (round * 5 + i))));
      }
      allocate("q" + round, "quiet");
      await(Future.all(work));
    }
    long last = fx.scalar("SELECT value FROM revision_counter");
    long events = fx.scalar("SELECT count(*) FROM resource_events WHERE resource = 'spiderippools' "
        + "AND resource_version > " + from);
    String finalBusy = statusAt("busy", last);

    // The final state reaches full-object watchers within a second of the last change (plus machine slack).
    long deadline = System.currentTimeMillis() + 10_000;
    while (!(full.hasFinal("busy", finalBusy) && full2.hasFinal("busy", finalBusy))
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(finalBusy, full.latest("busy"), "full watcher's final allocatedIPs");
    assertEquals(finalBusy, full2.latest("busy"), "second full watcher's final allocatedIPs");

    for (Recorder r : List.of(full, full2)) {
      assertAscending(r.seen);
      for (Seen s : r.seen) {
        assertEquals(statusAt(s.name, s.rv), s.allocatedIPs, s.name + " at " + s.rv);
        assertEquals(String.valueOf(s.rv), s.object.path("metadata").path("resourceVersion").asText());
      }
      assertTrue(r.seen.size() < events, "coalesced: " + r.seen.size() + " deliveries for " + events + " events");
    }
    // Both full watchers were offered the same states at the same moments: one rendering served both.
    assertTrue(hub.completions() <= Math.max(full.seen.size(), full2.seen.size()) + 2,
        "completions " + hub.completions() + " for " + full.seen.size() + " deliveries");

    deadline = System.currentTimeMillis() + 10_000;
    while (metadata.seen.size() < events && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(events, metadata.seen.size(), "metadata watcher: every event");
    assertAscending(metadata.seen);
    metadata.seen.forEach(s -> assertEquals(null, s.allocatedIPs, "metadata watchers are not sent allocatedIPs"));
  }

  @Test
  void aWatcherResumingFromAnOldRevisionGetsTheLatestStateOfEachPool() throws Exception {
    long from = fx.scalar("SELECT value FROM revision_counter");
    for (int i = 0; i < 30; i++) {
      allocate("a" + i, "busy");
    }
    allocate("b", "quiet");
    long last = fx.scalar("SELECT value FROM revision_counter");
    long deadline = System.currentTimeMillis() + 10_000;
    while (hub.lastDispatched() < last && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    Recorder late = new Recorder(true);
    hub.subscribe(from, late);
    deadline = System.currentTimeMillis() + 10_000;
    while (late.latest("quiet") == null && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(statusAt("busy", last), late.latest("busy"));
    assertEquals(statusAt("quiet", last), late.latest("quiet"));
    assertAscending(late.seen);
    assertEquals(2, late.seen.size(), "one event per pool: " + late.seen);
  }

  // ---- helpers

  private record Seen(long rv, String name, String allocatedIPs, ObjectNode object, long at) {
  }

  private static void assertAscending(List<Seen> seen) {
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i).rv > seen.get(i - 1).rv, "resourceVersions ascend: " + seen.get(i - 1).rv + " then "
          + seen.get(i).rv);
    }
  }

  private String statusAt(String pool, long rv) {
    return await(fx.db.preparedQuery(STATUS_AT).execute(Tuple.of(pool, rv))).iterator().next().getString(0);
  }

  private void awaitSubscribers(int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (hub.subscriberCount() < n && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(n, hub.subscriberCount());
  }

  private static AddArgs args(String pod, String pool) {
    return new AddArgs("c-" + pod, "eth0", "", "default", pod, "uid-" + pod, List.of(pool), List.of(), false, false);
  }

  private void allocate(String pod, String pool) {
    assertNotNull(await(alloc.allocate(args(pod, pool))).ips().get(0).address());
  }

  /**
   * Records the pool events it is delivered, as delivered; like a watch of pools it drops the other kinds'
   * events (the SpiderEndpoints written by the same batches), which the hub still offers it in order.
   */
  private static final class Recorder implements EventSubscriber {
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final boolean full;

    Recorder(boolean full) {
      this.full = full;
    }

    @Override
    public boolean onEvent(StoredEvent e) {
      if (!e.resource().equals(Spiderpool.POOLS)) {
        return true;
      }
      ObjectNode o = e.object();
      seen.add(new Seen(e.resourceVersion(), e.name(), o.path("status").path("allocatedIPs").asText(null), o,
          System.currentTimeMillis()));
      return true;
    }

    @Override
    public void onExpired(long requested, long oldestRetained) {
      throw new AssertionError("expired");
    }

    @Override
    public boolean needsProjected(String resource) {
      return full && resource.equals(Spiderpool.POOLS);
    }

    @Override
    public boolean coalescesModified() {
      return full;
    }

    String latest(String pool) {
      String v = null;
      for (Seen s : seen) {
        if (s.name.equals(pool)) {
          v = s.allocatedIPs;
        }
      }
      return v;
    }

    boolean hasFinal(String pool, String want) {
      return want.equals(latest(pool));
    }
  }
}
