package io.ippool.store.allocation;

import io.ippool.spiderpool.PoolSpecs;
import io.ippool.spiderpool.Spiderpool;
import static io.ippool.store.allocation.AllocFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.ResourceKind;
import io.ippool.ipam.Allocator;
import io.ippool.ipam.AllocatorConfig;
import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.BatchDelArgs;
import io.ippool.ipam.IpamModels.DelArgs;
import io.ippool.ipam.KubeMetadata;
import io.ippool.store.Page;
import io.ippool.store.ResourceStore;
import io.ippool.store.StatusProjection;
import io.ippool.store.watch.EventHub;
import io.ippool.store.watch.EventSubscriber;
import io.ippool.store.watch.StoredEvent;
import io.vertx.pgclient.PgConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Allocation batches log their pool's event without status.allocatedIPs; every reader rebuilds it as it
 * was at the event's revision. Checked against an independently tracked expectation after every step,
 * including releases of addresses held since before the watch began and since before revisions were
 * recorded at all (rows with a NULL revision).
 */
class ProjectedHistoryIT {
  private static final Map<String, StatusProjection> PROJECTIONS =
      Map.of(Spiderpool.IPPOOL.plural(), new PoolStatusProjection());

  private AllocFixture fx;
  private Allocator alloc;
  private final List<EventHub> hubs = new ArrayList<>();

  /** pool -> (ip -> "namespace/name|uid"), maintained by the test from what the allocator answered. */
  private final Map<String, TreeMap<String, String>> expected = new TreeMap<>();

  @BeforeEach
  void setUp() {
    fx = AllocFixture.fresh();
    alloc = new Allocator(new SqlAllocationRepository(fx.db), KubeMetadata.standalone(), AllocatorConfig.defaults());
    fx.pool("a", "10.20.0.0/24", List.of("10.20.0.1-10.20.0.200"));
    fx.pool("p", "10.21.0.0/24", List.of("10.21.0.1-10.21.0.200"));
    expected.put("a", new TreeMap<>());
    expected.put("p", new TreeMap<>());
  }

  @AfterEach
  void tearDown() {
    hubs.forEach(h -> await(h.stop()));
    fx.close();
  }

  @Test
  void watchAndHistoricLists_seeAllocatedIPsAsAtEachRevision() {
    // Held since before revisions were recorded (as after the V4 migration): revision NULL.
    fx.scalar("""
        INSERT INTO ipam_allocations (family, address_num, address, pool, container_id, if_name, pod_namespace,
                                      pod_name, pod_uid)
        VALUES (4, ('10.21.0.7'::inet - '0.0.0.0'::inet), '10.21.0.7', 'p', 'c-legacy', 'eth0', 'default',
                'legacy', 'uid-legacy')
        RETURNING 1""");
    fx.scalar("UPDATE ipam_pools SET allocated_count = 1 WHERE pool = 'p' RETURNING 1");
    expected.get("p").put("10.21.0.7", "default/legacy|uid-legacy");
    // Held since before the watch.
    allocate("early1", "p");
    allocate("early2", "p");
    allocate("other1", "a");

    long from = fx.scalar("SELECT value FROM revision_counter");
    // A hub nobody watches through: it skips rebuilding allocatedIPs and keeps the events in its ring.
    EventHub quiet = hub();
    EventHub live = hub();
    List<StoredEvent> seen = new CopyOnWriteArrayList<>();
    live.subscribe(from, collector(seen));

    // Each step is one batch: one event for its pool, whose expectation is recorded right after it.
    Map<Long, Map<String, String>> expectedAt = new TreeMap<>();
    List<Runnable> steps = List.of(
        () -> allocate("b", "p"),
        () -> release("early1", "p"),          // allocated before the watch began
        () -> allocate("other2", "a"),
        () -> allocate("c", "p"),              // takes early1's address back (lowest free)
        () -> release("legacy", "p"),          // allocated before revisions existed
        () -> releasePod("b", "p"),
        () -> allocate("d", "p"),
        () -> release("other1", "a"),
        () -> release("early2", "p"));
    for (Runnable step : steps) {
      step.run();
      // The step's pool event (the pods' SpiderEndpoint events follow it in the same transaction).
      long rv = fx.scalar("SELECT max(resource_version) FROM resource_events WHERE resource = 'spiderippools'");
      Map<String, String> snapshot = new TreeMap<>();
      expected.forEach((pool, ips) -> snapshot.put(pool, json(ips)));
      expectedAt.put(rv, snapshot);
      // The live projection agrees with the bookkeeping (so the expectations are right).
      expected.forEach((pool, ips) -> assertEquals(json(ips), fx.served(pool).path("status").path("allocatedIPs")
          .asText(null), pool + " now"));
    }
    awaitCount(seen, steps.size());

    // Live hub: every event carries the state at its own revision.
    assertEvents(seen, expectedAt);
    // The quiet hub's ring lacks allocatedIPs: a subscriber that needs them gets the history from the log.
    long last = expectedAt.keySet().stream().max(Long::compare).orElseThrow();
    long deadline = System.currentTimeMillis() + 20_000;
    while (quiet.lastDispatched() < last && System.currentTimeMillis() < deadline) {
      sleep();
    }
    List<StoredEvent> fromRing = new CopyOnWriteArrayList<>();
    quiet.subscribe(from, collector(fromRing));
    awaitCount(fromRing, steps.size());
    assertEvents(fromRing, expectedAt);
    // A hub started afterwards serves the same history from the database (ring miss: catch-up path).
    EventHub late = hub();
    List<StoredEvent> replayed = new CopyOnWriteArrayList<>();
    late.subscribe(from, collector(replayed));
    awaitCount(replayed, steps.size());
    assertEvents(replayed, expectedAt);

    // Lists at old revisions, the second pool coming from a continue page built from the event log.
    ResourceStore store = new ResourceStore(fx.db, PROJECTIONS, List.of(new AllocationHook()));
    for (Map.Entry<Long, Map<String, String>> at : expectedAt.entrySet()) {
      Page first = await(store.list(Spiderpool.IPPOOL, "", at.getKey(), "", "", 1, o -> true));
      assertEquals(1, first.items().size());
      assertEquals(at.getValue().get("a"), allocatedIPs(first.items().get(0)), "a at " + at.getKey());
      Page next = await(store.list(Spiderpool.IPPOOL, "", at.getKey(), first.lastNamespace(), first.lastName(), 1,
          o -> true));
      ObjectNode p = next.items().get(0);
      assertEquals("p", PoolSpecs.name(p));
      assertEquals(at.getValue().get("p"), allocatedIPs(p), "p at " + at.getKey());
      assertEquals(count(at.getValue().get("p")), p.path("status").path("allocatedIPCount").asLong());
      assertEquals(200, p.path("status").path("totalIPCount").asLong());
    }
    // The log itself holds no allocatedIPs for allocation batches: that is the point.
    assertEquals(0, fx.scalar("SELECT count(*) FROM resource_events WHERE projected AND body->'status' ? 'allocatedIPs'"));
    assertTrue(fx.scalar("SELECT count(*) FROM resource_events WHERE projected") >= steps.size());
  }

  @Test
  void rowsAreStampedWithTheirBatchRevision() {
    allocate("x", "p");
    long rv = fx.scalar("SELECT resource_version FROM resources WHERE name = 'p'");
    assertEquals(rv, fx.scalar("SELECT revision FROM ipam_allocations WHERE pod_name = 'x'"));
    assertEquals(rv, fx.scalar("SELECT revision FROM ipam_allocation_events WHERE pod_name = 'x' AND action = 'allocate'"));
    release("x", "p");
    long rv2 = fx.scalar("SELECT resource_version FROM resources WHERE name = 'p'");
    assertTrue(rv2 > rv);
    assertEquals(rv2, fx.scalar("SELECT revision FROM ipam_allocation_events WHERE pod_name = 'x' AND action = 'release'"));
    assertEquals(rv, fx.scalar("SELECT allocated_revision FROM ipam_allocation_events WHERE pod_name = 'x' "
        + "AND action = 'release'"));
    assertEquals(0, fx.scalar("SELECT count(*) FROM ipam_allocation_events WHERE revision IS NULL"));
  }

  // ---- helpers

  private void allocate(String pod, String pool) {
    String ip = await(alloc.allocate(new AddArgs("c-" + pod, "eth0", "", "default", pod, "uid-" + pod,
        List.of(pool), List.of(), false, false))).ips().get(0).address().split("/")[0];
    assertFalse(expected.get(pool).containsKey(ip), ip + " handed out twice");
    expected.get(pool).put(ip, "default/" + pod + "|uid-" + pod);
  }

  private void release(String pod, String pool) {
    await(alloc.release(new DelArgs("c-" + pod, "eth0", null, "default", pod, "uid-" + pod)));
    forget(pod, pool);
  }

  private void releasePod(String pod, String pool) {
    await(alloc.releasePod(new BatchDelArgs("c-" + pod, null, "default", pod, "uid-" + pod, false)));
    forget(pod, pool);
  }

  private void forget(String pod, String pool) {
    assertTrue(expected.get(pool).values().removeIf(v -> v.startsWith("default/" + pod + "|")), pod);
  }

  /** Go's json.Marshal of map[string]{pod, podUid}: keys in byte order (ASCII addresses: String order). */
  private static String json(TreeMap<String, String> ips) {
    if (ips.isEmpty()) {
      return null;
    }
    return ips.entrySet().stream().map(e -> {
      String[] v = e.getValue().split("\\|");
      return "\"" + e.getKey() + "\":{\"pod\":\"" + v[0] + "\",\"podUid\":\"" + v[1] + "\"}";
    }).collect(Collectors.joining(",", "{", "}"));
  }

  private static long count(String json) {
    return json == null ? 0 : json.split("\"pod\"").length - 1;
  }

  private static String allocatedIPs(ObjectNode pool) {
    return pool.path("status").path("allocatedIPs").asText(null);
  }

  private void assertEvents(List<StoredEvent> events, Map<Long, Map<String, String>> expectedAt) {
    assertEquals(expectedAt.keySet(), events.stream().map(StoredEvent::resourceVersion)
        .collect(Collectors.toCollection(java.util.TreeSet::new)), "one event per step");
    for (StoredEvent e : events) {
      String want = expectedAt.get(e.resourceVersion()).get(e.name());
      assertEquals("MODIFIED", e.type());
      assertEquals(want, allocatedIPs(e.object()), e.name() + " at " + e.resourceVersion());
      assertEquals(count(want), e.object().path("status").path("allocatedIPCount").asLong());
      assertEquals(String.valueOf(e.resourceVersion()), e.object().path("metadata").path("resourceVersion").asText());
    }
  }

  private EventHub hub() {
    PgConnectOptions o = new PgConnectOptions().setHost(fx.url.host()).setPort(fx.url.port())
        .setDatabase(fx.url.database()).setUser(fx.url.user()).setPassword(fx.url.password());
    EventHub h = new EventHub(fx.vertx, fx.db, o, PROJECTIONS);
    await(h.start());
    hubs.add(h);
    return h;
  }

  private static EventSubscriber collector(List<StoredEvent> into) {
    return new EventSubscriber() {
      @Override
      public boolean onEvent(StoredEvent event) {
        if (event.resource().equals("spiderippools")) {
          // The object as delivered: the hub may drop an old event's completion once a newer one of its pool
          // exists.
          into.add(new StoredEvent(event.resourceVersion(), event.resource(), event.namespace(), event.name(),
              event.type(), event.object()));
        }
        return true;
      }

      @Override
      public void onExpired(long requested, long oldestRetained) {
        throw new AssertionError("expired");
      }
    };
  }

  private static void awaitCount(List<StoredEvent> events, int n) {
    long deadline = System.currentTimeMillis() + 20_000;
    while (events.size() < n && System.currentTimeMillis() < deadline) {
      sleep();
    }
    assertEquals(n, events.size(), "events: " + events.stream().map(StoredEvent::resourceVersion).toList());
  }

  private static void sleep() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
