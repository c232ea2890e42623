package io.ippool.ipam;

import io.ippool.store.allocation.SqlAllocationRepository;
import io.ippool.spiderpool.PoolSelection;
import io.ippool.spiderpool.Spiderpool;
import static io.ippool.store.allocation.AllocFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.ResourceKind;
import io.ippool.errors.ApiException;
import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.AddResponse;
import io.ippool.ipam.IpamModels.BatchDelArgs;
import io.ippool.ipam.IpamModels.DelArgs;
import io.ippool.store.allocation.AllocFixture;
import io.ippool.store.allocation.AllocationHook;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AllocatorIT {
  private AllocFixture fx;
  private Allocator alloc;
  private final Map<String, KubeMetadata.Pod> pods = new HashMap<>();
  private final Map<String, KubeMetadata.Meta> namespaces = new HashMap<>();

  /** Metadata from maps; unknown pods exist with nothing set (as standalone). */
  private final KubeMetadata meta = new KubeMetadata() {
    @Override
    public Future<Pod> pod(String namespace, String name) {
      return Future.succeededFuture(pods.getOrDefault(namespace + "/" + name, new Pod(Map.of(), Map.of(), "node1", true)));
    }

    @Override
    public Future<Meta> namespace(String name) {
      return Future.succeededFuture(namespaces.getOrDefault(name, Meta.EMPTY));
    }

    @Override
    public Future<Map<String, String>> nodeLabels(String nodeName) {
      return Future.succeededFuture(Map.of("zone", "a"));
    }
  };

  @BeforeEach
  void setUp() {
    fx = AllocFixture.fresh();
    alloc = new Allocator(new SqlAllocationRepository(fx.db), meta, AllocatorConfig.defaults());
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  static AddArgs add(String pod, List<String> v4, List<String> v6) {
    return new AddArgs("c-" + pod, "eth0", "/proc/1/ns/net", "default", pod, "uid-" + pod, v4, v6, false, false);
  }

  private String ip(String pod, String... v4pools) {
    AddResponse r = await(alloc.allocate(add(pod, List.of(v4pools), List.of())));
    return r.ips().get(0).address().split("/")[0];
  }

  private String failure(AddArgs a) {
    return assertThrows(IpamException.class, () -> await(alloc.allocate(a))).getMessage();
  }

  private void del(String pod) {
    await(alloc.release(new DelArgs("c-" + pod, "eth0", null, "default", pod, "uid-" + pod)));
  }

  @Test
  void lowestFree_skipsExcludedAndReserved_andReusesReleased() {
    fx.pool("p", "10.0.0.0/24", List.of("10.0.0.1-10.0.0.10"), List.of("10.0.0.2"), s -> { });
    fx.reserve("r", 4, List.of("10.0.0.3-10.0.0.4", "10.0.0.7"));
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      got.add(ip("a" + i, "p"));
    }
    assertEquals(List.of("10.0.0.1", "10.0.0.5", "10.0.0.6", "10.0.0.8", "10.0.0.9"), got);
    del("a1");
    assertEquals("10.0.0.5", ip("b", "p"));
    assertEquals("10.0.0.10", ip("c", "p"));
    assertTrue(failure(add("d", List.of("p"), List.of())).endsWith("all IPs have been exhausted"));
    // A v6 reservation does not touch a v4 pool.
    fx.remove(Spiderpool.RESERVED_IP, "r");
    assertEquals("10.0.0.3", ip("e", "p"));
  }

  @Test
  void oneBatch_skipsReservedAndAllocatedRuns_lowestFirstInRequestOrder() {
    fx.pool("p", "10.0.0.0/24", List.of("10.0.0.1-10.0.0.30"), List.of("10.0.0.2"), s -> { });
    fx.reserve("r1", 4, List.of("10.0.0.3-10.0.0.4", "10.0.0.7"));
    fx.reserve("r2", 4, List.of("10.0.0.10-10.0.0.20"));
    fx.reserve("r3", 4, List.of("10.0.0.12-10.0.0.22"));
    // Held by a pod of an overlapping pool, so this pool's allocator meets it mid-run.
    fx.pool("other", "10.0.0.0/24", List.of("10.0.0.23-10.0.0.24"));
    assertEquals("10.0.0.23", ip("held", "other"));
    // Twelve requests at once: the first runs alone, the rest coalesce into one statement.
    List<Future<AddResponse>> all = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      all.add(alloc.allocate(add("q" + i, List.of("p"), List.of())));
    }
    await(Future.all(all));
    List<String> got = all.stream().map(f -> f.result().ips().get(0).address().split("/")[0]).toList();
    assertEquals(List.of("10.0.0.1", "10.0.0.5", "10.0.0.6", "10.0.0.8", "10.0.0.9", "10.0.0.24", "10.0.0.25",
        "10.0.0.26", "10.0.0.27", "10.0.0.28", "10.0.0.29", "10.0.0.30"), got);
    assertTrue(fx.scalar("SELECT count(*) FROM resource_events WHERE name = 'p' AND event_type = 'MODIFIED'") <= 3,
        "coalesced");
  }

  @Test
  void batchSearch_agreesWithIpamLowestFree() {
    // ipam_allocate_batch searches inline (keeping bounds between entries); ipam_lowest_free is the same
    // search for people and reports. Same layouts, same answers.
    fx.pool("p", "10.0.3.0/24", List.of("10.0.3.1-10.0.3.40", "10.0.3.60-10.0.3.70"), List.of("10.0.3.5"), s -> { });
    fx.reserve("r1", 4, List.of("10.0.3.2-10.0.3.3", "10.0.3.30-10.0.3.65"));
    fx.reserve("r2", 4, List.of("10.0.3.8-10.0.3.12"));
    fx.pool("other", "10.0.3.0/24", List.of("10.0.3.13-10.0.3.14"));
    ip("held", "other");
    // 25 free: 1, 4, 6, 7, 14-29 and 66-70.
    List<String> oneByOne = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      List<String> expected = fx.strings("SELECT host(ipam_num_to_inet(4::smallint, n)) FROM "
          + "ipam_lowest_free('p', 4::smallint, 0) AS n WHERE n IS NOT NULL");
      assertEquals(1, expected.size(), "allocation " + i);
      oneByOne.add(ip("z" + i, "p"));
      assertEquals(expected.get(0), oneByOne.get(i), "allocation " + i);
    }
    assertEquals(List.of(), fx.strings("SELECT n::text FROM ipam_lowest_free('p', 4::smallint, 0) AS n "
        + "WHERE n IS NOT NULL"));
    assertTrue(failure(add("z25", List.of("p"), List.of())).endsWith("all IPs have been exhausted"));
    // The same 25 again, asked for at once: the batch walks all of them in one search.
    for (int i = 0; i < 25; i++) {
      del("z" + i);
    }
    List<Future<AddResponse>> all = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      all.add(alloc.allocate(add("y" + i, List.of("p"), List.of())));
    }
    await(Future.all(all));
    assertEquals(oneByOne, all.stream().map(f -> f.result().ips().get(0).address().split("/")[0]).toList());
  }

  @Test
  void poolChangedAfterItWasPlannedWith_isReadAgain() {
    ObjectNode pool = fx.pool("p", "10.0.1.0/24", List.of("10.0.1.1-10.0.1.9"));
    assertEquals("10.0.1.1", ip("a", "p"));
    // The allocator now knows p; disabling it must not go unnoticed.
    ((ObjectNode) pool.get("spec")).put("disable", true);
    fx.put(Spiderpool.IPPOOL, pool);
    assertEquals("failed to allocate IP addresses in standard mode: no IPPool available, all IPv4 IPPools [p] of "
        + "eth0 filtered out: disabled IPPool p", failure(add("b", List.of("p"), List.of())));
    ((ObjectNode) pool.get("spec")).put("disable", false).put("gateway", "10.0.1.254");
    fx.put(Spiderpool.IPPOOL, pool);
    AddResponse r = await(alloc.allocate(add("c", List.of("p"), List.of())));
    assertEquals("10.0.1.2/24", r.ips().get(0).address());
    assertEquals("10.0.1.254", r.ips().get(0).gateway());
    // Gone, then back with other addresses.
    fx.remove(Spiderpool.IPPOOL, "p");
    assertTrue(failure(add("d", List.of("p"), List.of())).contains("failed to get original IPPool p"));
  }

  @Test
  void staleFingerprint_changesNothing() {
    fx.pool("p", "10.0.2.0/24", List.of("10.0.2.1-10.0.2.9"));
    long rv = fx.scalar("SELECT resource_version FROM resources WHERE name = 'p'");
    String answer = fx.strings("""
        SELECT ipam_allocate_batch('{"pools": {"p": "not-the-fingerprint"}, "maxAllocated": 0, "jobs": [
          {"container": "c", "ifName": "eth0", "namespace": "n", "pod": "x", "uid": "u", "node": "",
           "entries": [{"nic": "eth0", "family": 4, "pools": ["p"]}]}]}')::text""").get(0);
    assertEquals("{\"stale\": true}", answer);
    assertEquals(0, fx.scalar("SELECT count(*) FROM ipam_allocations"));
    assertEquals(rv, fx.scalar("SELECT resource_version FROM resources WHERE name = 'p'"));
  }

  @Test
  void reservedIpGuide_scenarioExactly() {
    fx.reserve("test-reservedip", 4, List.of("10.6.168.131-10.6.168.132"));
    fx.pool("test-ippool", "10.6.0.0/16", List.of("10.6.168.131-10.6.168.133"));
    assertEquals("10.6.168.133", ip("pod1", "test-ippool"));
    assertEquals("failed to allocate IP addresses in standard mode: failed to allocate any IPv4 IP address to NIC "
        + "eth0 from IPPools [test-ippool]: all IP addresses used out, all IPs have been exhausted",
        failure(add("pod2", List.of("test-ippool"), List.of())));
    // Reserve the held address too: the holder keeps it, and the write warns who holds it.
    List<String> warnings = fx.reserve("test-reservedip", 4, List.of("10.6.168.131-10.6.168.133"));
    assertEquals(List.of("SpiderReservedIP test-reservedip covers addresses in use: 10.6.168.133 (default/pod1)"),
        warnings);
    assertEquals("10.6.168.133", ip("pod1", "test-ippool")); // idempotent repeat still answers
    del("pod1");
    assertTrue(failure(add("pod3", List.of("test-ippool"), List.of())).endsWith("all IPs have been exhausted"));
    fx.remove(Spiderpool.RESERVED_IP, "test-reservedip");
    assertEquals("10.6.168.131", ip("pod4", "test-ippool"));
    assertEquals("10.6.168.132", ip("pod5", "test-ippool"));
  }

  @Test
  void idempotent_sameContainerAndInterface() {
    fx.pool("p", "10.1.0.0/24", List.of("10.1.0.10-10.1.0.20"));
    AddResponse first = await(alloc.allocate(add("x", List.of("p"), List.of())));
    AddResponse again = await(alloc.allocate(add("x", List.of("p"), List.of())));
    assertEquals(first.toJson(), again.toJson());
    assertEquals("10.1.0.10/24", first.ips().get(0).address());
    assertEquals(1, fx.scalar("SELECT count(*) FROM ipam_allocations"));
    assertEquals(1, fx.scalar("SELECT count(*) FROM ipam_allocation_events WHERE action = 'allocate'"));
  }

  @Test
  void dualStack_bothOrNeither() {
    fx.pool("v4", "10.2.0.0/24", List.of("10.2.0.1-10.2.0.2"), List.of(), s -> s.put("gateway", "10.2.0.254"));
    fx.pool("v6", "fd00::/120", List.of("fd00::1"));
    AddResponse r = await(alloc.allocate(add("a", List.of("v4"), List.of("v6"))));
    assertEquals(2, r.ips().size());
    assertEquals("10.2.0.1/24", r.ips().get(0).address());
    assertEquals(4, r.ips().get(0).version());
    assertEquals("fd00::1/120", r.ips().get(1).address());
    assertEquals("10.2.0.254", r.ips().get(0).gateway());
    assertEquals(List.of(new IpamModels.Route("eth0", "0.0.0.0/0", "10.2.0.254")), r.routes());
    // v6 is exhausted now: the v4 address must not be kept.
    String msg = failure(add("b", List.of("v4"), List.of("v6")));
    assertTrue(msg.contains("failed to allocate any IPv6 IP address to NIC eth0 from IPPools [v6]: all IP addresses used out"), msg);
    assertEquals(2, fx.scalar("SELECT count(*) FROM ipam_allocations"));
    assertEquals(0, fx.scalar("SELECT count(*) FROM ipam_allocation_events WHERE pod_name = 'b'"));
    assertEquals("10.2.0.2", ip("c", "v4")); // the undone address is the lowest free again
  }

  @Test
  void release_unknownContainerSucceeds_andBatchByPod() {
    fx.pool("p", "10.3.0.0/24", List.of("10.3.0.1-10.3.0.9"));
    await(alloc.release(new DelArgs("nope", "eth0", null, "default", "ghost", "u")));
    await(alloc.releasePod(new BatchDelArgs("nope", null, "default", "ghost", "u", false)));
    ip("a", "p");
    await(alloc.allocate(new AddArgs("c-a", "net1", "", "default", "a", "uid-a", List.of("p"), List.of(), false, false)));
    assertEquals(2, fx.scalar("SELECT count(*) FROM ipam_allocations"));
    await(alloc.releasePod(new BatchDelArgs("c-a", null, "default", "a", "uid-a", false)));
    assertEquals(0, fx.scalar("SELECT count(*) FROM ipam_allocations"));
    assertEquals(2, fx.scalar("SELECT count(*) FROM ipam_allocation_events WHERE action = 'release'"));
  }

  @Test
  void releaseBatch_twoPools_oneEventEach_countsHintsAndHistoryExact() {
    fx.pool("p", "10.3.1.0/24", List.of("10.3.1.1-10.3.1.50"));
    fx.pool("q", "10.3.2.0/24", List.of("10.3.2.1-10.3.2.50"));
    for (int i = 0; i < 20; i++) {
      ip("p" + i, "p");
      ip("q" + i, "q");
    }
    long eventsBefore = fx.scalar("SELECT count(*) FROM resource_events WHERE resource = 'spiderippools'");
    // Released together, so the lane has them in as few statements as it can: by interface and by pod.
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 5; i < 15; i++) {
      all.add(alloc.release(new DelArgs("c-p" + i, "eth0", null, "default", "p" + i, "uid-p" + i)));
      all.add(alloc.releasePod(new BatchDelArgs("c-q" + i, null, "default", "q" + i, "uid-q" + i, false)));
    }
    await(Future.all(all));

    long events = fx.scalar("SELECT count(*) FROM resource_events WHERE resource = 'spiderippools'") - eventsBefore;
    assertTrue(events >= 2 && events < 20, "one event per pool per batch, got " + events);
    for (String pool : List.of("p", "q")) {
      assertEquals(10, fx.scalar("SELECT count(*) FROM ipam_allocations WHERE pool = $1", pool));
      assertEquals(10, fx.scalar("SELECT allocated_count FROM ipam_pools WHERE pool = $1", pool));
      assertEquals(10, fx.served(pool).path("status").path("allocatedIPCount").asLong());
      // Every release is recorded, stamped with a revision at which the pool's event was published.
      assertEquals(10, fx.scalar("SELECT count(*) FROM ipam_allocation_events e WHERE e.action = 'release' "
          + "AND e.pool = $1 AND EXISTS (SELECT 1 FROM resource_events r WHERE r.name = e.pool "
          + "AND r.resource_version = e.revision)", pool));
    }
    // The hints came down: the lowest released address is the next one handed out.
    assertEquals("10.3.1.6", ip("again-p", "p"));
    assertEquals("10.3.2.6", ip("again-q", "q"));
    // Unknown ones in a batch with real ones change nothing and succeed.
    await(Future.all(alloc.release(new DelArgs("nope", "eth0", null, "default", "ghost", "u")),
        alloc.release(new DelArgs("c-p0", "eth0", null, "default", "p0", "uid-p0"))));
    assertEquals(10, fx.scalar("SELECT allocated_count FROM ipam_pools WHERE pool = 'p'"));
  }

  @Test
  void importedAddresses_areReleasedByTheirPodsDel_perInterface_unknownOnesWithTheFirst() {
    fx.pool("p", "10.3.3.0/24", List.of("10.3.3.1-10.3.3.50"));
    // As `import` writes them: no container ID, one interface named by the SpiderEndpoint, one unknown.
    fx.scalar("""
        WITH ins AS (
          INSERT INTO ipam_allocations (family, address_num, address, pool, container_id, if_name, pod_namespace,
                                        pod_name, pod_uid)
          VALUES (4, ('10.3.3.5'::inet - '0.0.0.0'::inet), '10.3.3.5', 'p', 'imported:uid-web', 'net1', 'default',
                  'web', 'uid-web'),
                 (4, ('10.3.3.6'::inet - '0.0.0.0'::inet), '10.3.3.6', 'p', 'imported:uid-web', 'unknown:10.3.3.6',
                  'default', 'web', 'uid-web')
          RETURNING 1)
        SELECT count(*) FROM ins""");
    fx.scalar("UPDATE ipam_pools SET allocated_count = 2 WHERE pool = 'p' RETURNING allocated_count");

    // Another pod of the same name (a different UID) releases nothing of it, as in Spiderpool.
    await(alloc.release(new DelArgs("c-new", "eth0", null, "default", "web", "uid-other")));
    assertEquals(2, fx.scalar("SELECT count(*) FROM ipam_allocations"));
    // Its first DEL (eth0) takes the address with no known interface; net1's waits for net1's DEL.
    await(alloc.release(new DelArgs("c-new", "eth0", null, "default", "web", "uid-web")));
    assertEquals(List.of("10.3.3.5"), fx.strings("SELECT host(address) FROM ipam_allocations"));
    await(alloc.release(new DelArgs("c-new", "net1", null, "default", "web", "uid-web")));
    assertEquals(0, fx.scalar("SELECT count(*) FROM ipam_allocations"));
    assertEquals(0, fx.served("p").path("status").path("allocatedIPCount").asLong());
    assertEquals(2, fx.scalar("SELECT count(*) FROM ipam_allocation_events WHERE action = 'release'"));
  }

  @Test
  void status_projection_goOrder_absentWhenEmpty_cappedTotal() {
    fx.pool("p", "10.4.0.0/24", List.of("10.4.0.2-10.4.0.11"));
    ObjectNode empty = fx.served("p");
    assertFalse(empty.path("status").has("allocatedIPs"));
    assertEquals(0, empty.path("status").path("allocatedIPCount").asLong());
    assertEquals(10, empty.path("status").path("totalIPCount").asLong());
    for (int i = 0; i < 10; i++) {
      ip("p" + i, "p");
    }
    ObjectNode s = (ObjectNode) fx.served("p").get("status");
    String json = s.path("allocatedIPs").asText();
    assertTrue(json.startsWith("{\"10.4.0.10\":{\"pod\":\"default/p8\",\"podUid\":\"uid-p8\"},\"10.4.0.11\":"), json);
    assertTrue(json.indexOf("\"10.4.0.2\"") > json.indexOf("\"10.4.0.11\""));
    assertEquals(10, s.path("allocatedIPCount").asLong());
    fx.pool("big6", "fd00:1::/64", List.of("fd00:1::-fd00:1::ffff:ffff:ffff:ffff"));
    assertEquals(Long.MAX_VALUE, fx.served("big6").path("status").path("totalIPCount").asLong());
  }

  @Test
  void hugePools_noPerAddressRows() {
    fx.pool("p8", "10.0.0.0/8", List.of("10.0.0.1-10.255.255.254"));
    fx.pool("p64", "fd00:2::/64", List.of("fd00:2::1-fd00:2::ffff:ffff:ffff:fffe"));
    fx.reserve("r6", 6, List.of("fd00:2::1-fd00:2::ffff:ffff"));
    for (int i = 0; i < 20; i++) {
      ip("a" + i, "p8");
    }
    AddResponse r = await(alloc.allocate(add("six", List.of(), List.of("p64"))));
    assertEquals("fd00:2::1:0:0/64", r.ips().get(0).address());
    assertEquals("10.0.0.20", ip("last", "p8").equals("10.0.0.21") ? "10.0.0.20" : "x");
    assertEquals(22, fx.scalar("SELECT count(*) FROM ipam_allocations"));
    assertEquals(2, fx.scalar("SELECT count(*) FROM ipam_pool_ranges"));
    assertEquals(16777214L, fx.served("p8").path("status").path("totalIPCount").asLong());
  }

  @Test
  void batch_bumpsResourceVersionOnce_andAppendsOneEvent() {
    fx.pool("p", "10.5.0.0/24", List.of("10.5.0.1-10.5.0.200"));
    long before = fx.scalar("SELECT count(*) FROM resource_events WHERE resource = 'spiderippools'");
    List<Future<AddResponse>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(alloc.allocate(add("b" + i, List.of("p"), List.of())));
    }
    await(Future.all(all));
    long events = fx.scalar("SELECT count(*) FROM resource_events WHERE resource = 'spiderippools'") - before;
    assertTrue(events >= 1 && events < 50, "coalesced into few batches, got " + events);
    long rv = fx.scalar("SELECT resource_version FROM resources WHERE name = 'p'");
    assertEquals(rv, Long.parseLong(fx.served("p").path("metadata").path("resourceVersion").asText()));
    assertEquals(rv, fx.scalar("SELECT max(resource_version) FROM resource_events WHERE name = 'p'"));
    assertTrue(fx.strings("SELECT body->'status'->>'allocatedIPCount' FROM resource_events WHERE name = 'p' "
        + "ORDER BY resource_version DESC LIMIT 1").get(0).equals("50"));
  }

  @Test
  void terminatingPool_keptWhileAllocated_thenFinalized() {
    fx.pool("p", "10.7.0.0/24", List.of("10.7.0.1-10.7.0.9"));
    ip("a", "p");
    fx.deletePool("p");
    assertTrue(fx.served("p") != null);
    assertTrue(failure(add("b", List.of("p"), List.of())).contains("terminating IPPool p"));
    del("a");
    assertNull(fx.served("p"));
    assertEquals(1, fx.scalar("SELECT count(*) FROM resource_events WHERE name = 'p' AND event_type = 'DELETED'"));
    assertEquals(0, fx.scalar("SELECT count(*) FROM ipam_pools"));
    // An idle pool goes at once.
    fx.pool("q", "10.8.0.0/24", List.of("10.8.0.1"));
    fx.deletePool("q");
    assertNull(fx.served("q"));
  }

  @Test
  void poolUpdate_removingAllocatedIp_isRefused() {
    ObjectNode body = fx.pool("p", "10.9.0.0/24", List.of("10.9.0.1-10.9.0.9"));
    ip("a", "p");
    ((ObjectNode) body.get("spec")).putArray("excludeIPs").add("10.9.0.1");
    ApiException e = assertThrows(ApiException.class, () -> fx.put(Spiderpool.IPPOOL, body));
    assertEquals(422, e.code());
    assertEquals("SpiderIPPool.spiderpool.spidernet.io \"p\" is invalid: spec.ips: Forbidden: remove an IP address "
        + "10.9.0.1 that is being used by Pod default/a, total IP addresses of an IPPool are jointly determined by "
        + "'spec.ips' and 'spec.excludeIPs'", e.getMessage());
    assertEquals(Map.of("10.9.0.1", "default/a"), await(io.ippool.store.allocation.PoolLookups.allocatedIpToPod(fx.db, "p")));
    // Growing the pool below the hint lowers it.
    ((ObjectNode) body.get("spec")).putArray("excludeIPs");
    ((ObjectNode) body.get("spec")).putArray("ips").add("10.9.0.1-10.9.0.9");
    fx.put(Spiderpool.IPPOOL, body);
  }

  @Test
  void selection_rulesFiltersAndFallback() {
    fx.pool("full", "10.10.0.0/24", List.of("10.10.0.1"));
    fx.pool("spare", "10.10.1.0/24", List.of("10.10.1.1-10.10.1.5"));
    fx.pool("dflt", "10.10.2.0/24", List.of("10.10.2.1-10.10.2.5"), List.of(), s -> s.put("default", true));
    fx.pool("nodeonly", "10.10.3.0/24", List.of("10.10.3.1"), List.of(), s -> s.putArray("nodeName").add("other"));
    // No rule: cluster default pools.
    assertEquals("10.10.2.1", ip("d"));
    // Exhaustion falls through to the next pool.
    assertEquals("10.10.0.1", ip("a", "full", "spare"));
    assertEquals("10.10.1.1", ip("b", "full", "spare"));
    // Pod annotation beats the netconf defaults; wildcards expand in name order.
    pods.put("default/w", new KubeMetadata.Pod(Map.of(), Map.of(PoolSelection.ANNO_IPPOOL, "{\"ipv4\":[\"sp*\"]}"),
        "node1", true));
    assertEquals("10.10.1.2", ip("w", "dflt"));
    // Namespace annotation.
    namespaces.put("default", new KubeMetadata.Meta(Map.of(), Map.of(PoolSelection.ANNO_NS_V4, "[\"spare\"]")));
    assertEquals("10.10.1.3", ip("n"));
    namespaces.clear();
    assertEquals("failed to allocate IP addresses in standard mode: no IPPool available, all IPv4 IPPools "
        + "[nodeonly] of eth0 filtered out: unmatched Node name of IPPool nodeonly",
        failure(add("f", List.of("nodeonly"), List.of())));
    assertTrue(failure(add("g", List.of("missing"), List.of())).contains("failed to get original IPPool missing"));
    pods.put("default/dead", new KubeMetadata.Pod(Map.of(), Map.of(), "node1", false));
    assertEquals("dead Pod default/dead, we cannot allocate IP addresees to it",
        failure(add("dead", List.of("spare"), List.of())));
    assertEquals(0, fx.scalar("SELECT count(*) FROM ipam_allocations WHERE pod_name IN ('f', 'g', 'dead')"));
  }

  @Test
  void threshold_maxAllocatedIPs() {
    Allocator small = new Allocator(new SqlAllocationRepository(fx.db), meta, AllocatorConfig.defaults().withMaxAllocatedIPs(1));
    fx.pool("p", "10.11.0.0/24", List.of("10.11.0.1-10.11.0.9"));
    await(small.allocate(add("a", List.of("p"), List.of())));
    String msg = assertThrows(IpamException.class, () -> await(small.allocate(add("b", List.of("p"), List.of()))))
        .getMessage();
    assertTrue(msg.endsWith("all IP addresses used out, threshold of IP records(<=1) for IPPool p exceeded"), msg);
  }
}
