package io.ippool.ipam;

import io.ippool.store.allocation.SqlAllocationRepository;
import static io.ippool.store.allocation.AllocFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.DelArgs;
import io.ippool.metrics.AllocationMetrics;
import io.ippool.store.allocation.AllocFixture;
import io.ippool.ipam.GcRepository.Reclaimed;
import io.ippool.store.allocation.SqlGcRepository;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pods driven through fabric8's mock kube-apiserver (CRUD mode): which addresses the collector reclaims, which it
 * keeps, and what ADD and DEL do for dead and live pods.
 */
@EnableKubernetesMockClient(crud = true)
class GarbageCollectionIT {
  static KubernetesClient client;

  private AllocFixture fx;
  private Fabric8KubeMetadata meta;
  private Allocator alloc;
  private GarbageCollector gc;
  private final Map<String, Integer> counted = new ConcurrentHashMap<>();
  private volatile Duration skew = Duration.ZERO;
  private final Clock clock = new Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(skew);
    }
  };

  @BeforeEach
  void setUp() {
    fx = AllocFixture.fresh();
    fx.pool("gc-a", "10.50.0.0/24", List.of("10.50.0.10-10.50.0.99"));
    fx.pool("gc-b", "10.51.0.0/24", List.of("10.51.0.10-10.51.0.99"));
    meta = await(Fabric8KubeMetadata.start(fx.vertx, client));
    alloc = new Allocator(new SqlAllocationRepository(fx.db), meta, AllocatorConfig.defaults());
    AllocationMetrics sink = new AllocationMetrics() {
      @Override
      public void onAllocate(String pool, boolean ok, double seconds) {
      }

      @Override
      public void onRelease(String pool, boolean ok) {
      }

      @Override
      public void onFailure(String pool, String reason) {
      }

      @Override
      public void onReclaimed(String reason, int addresses) {
        counted.merge(reason, addresses, Integer::sum);
      }
    };
    GcConfig cfg = new GcConfig(true, Duration.ofHours(1), Duration.ofSeconds(5), true, Duration.ZERO, 1,
        Duration.ofMillis(50));
    gc = new GarbageCollector(fx.vertx, new SqlGcRepository(fx.db), meta, cfg, sink, clock);
  }

  @AfterEach
  void tearDown() {
    gc.close();
    meta.close();
    fx.close();
  }

  private static void node(String name) {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).createOr(
        r -> r.update());
  }

  /** Creates a running pod; answers the UID the API server gave it. */
  private static String pod(String ns, String name, String node, Function<PodBuilder, PodBuilder> more) {
    PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewSpec().withNodeName(node).withRestartPolicy("Always").withTerminationGracePeriodSeconds(30L)
        .endSpec().withNewStatus().withPhase("Running").endStatus();
    Pod created = client.pods().inNamespace(ns).resource(more.apply(b).build()).create();
    return created.getMetadata().getUid();
  }

  private static String pod(String ns, String name, String node) {
    return pod(ns, name, node, b -> b);
  }

  private static void status(String ns, String name, String phase, String reason) {
    client.pods().inNamespace(ns).withName(name).editStatus(p -> {
      p.getStatus().setPhase(phase);
      p.getStatus().setReason(reason);
      return p;
    });
  }

  private static void forceDelete(String ns, String name) {
    client.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete();
  }

  /** The informer sees what the test did before the collector is asked. */
  private void settle(String ns, String name, Function<io.ippool.spiderpool.PodState, Boolean> until) {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!until.apply(meta.cachedPod(ns, name))) {
      assertTrue(System.nanoTime() < end, "informer did not catch up on " + ns + "/" + name);
      sleep(20);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private String add(String ns, String pod, String uid, String container, String pool) {
    return await(alloc.allocate(new AddArgs(container, "eth0", "/x", ns, pod, uid, List.of(pool), List.of(),
        false, false))).ips().get(0).address().split("/")[0];
  }

  private List<String> held(String ns) {
    return fx.strings("SELECT pod_name || ' ' || host(address) FROM ipam_allocations WHERE pod_namespace = $1 "
        + "ORDER BY pod_name, address", ns);
  }

  private static Map<String, String> byPod(List<Reclaimed> r) {
    return r.stream().collect(Collectors.toMap(x -> x.pod() + " " + x.address(), Reclaimed::reason, (a, b) -> a,
        TreeMap::new));
  }

  @Test
  void sweep_reclaimsExactlyTheDead_keepsTheLiving() {
    String ns = "sweep";
    node("n1");
    node("n2");
    String uLive = pod(ns, "live", "n1");
    String uGone = pod(ns, "gone", "n1");
    String uOld = pod(ns, "reborn", "n1");
    String uOrphan = pod(ns, "orphan", "n2");
    String uDone = pod(ns, "done", "n1", b -> b.editSpec().withRestartPolicy("Never").endSpec());
    String uEv = pod(ns, "evicted", "n1");
    String uRs = pod(ns, "restarting", "n1");
    settle(ns, "restarting", p -> p != null);
    String live = add(ns, "live", uLive, "c-live", "gc-a");
    String gone = add(ns, "gone", uGone, "c-gone", "gc-a");
    String old = add(ns, "reborn", uOld, "c-old", "gc-b");
    String orphan = add(ns, "orphan", uOrphan, "c-orphan", "gc-b");
    String done = add(ns, "done", uDone, "c-done", "gc-a");
    String evicted = add(ns, "evicted", uEv, "c-ev", "gc-a");
    String restarting = add(ns, "restarting", uRs, "c-rs", "gc-a");

    status(ns, "done", "Succeeded", null);
    status(ns, "evicted", "Failed", "Evicted");
    // Failed with restartPolicy Always: kubelet restarts it, it keeps its address.
    status(ns, "restarting", "Failed", null);
    forceDelete(ns, "gone"); // force-deleted: the DEL never comes
    forceDelete(ns, "reborn");
    settle(ns, "reborn", p -> p == null);
    String uNew = pod(ns, "reborn", "n1");
    client.nodes().withName("n2").delete();
    settle(ns, "gone", p -> p == null);
    settle(ns, "reborn", p -> p != null && p.uid().equals(uNew));
    settle(ns, "done", p -> p != null && !p.alive());
    settle(ns, "evicted", p -> p != null && !p.alive());
    settle(ns, "restarting", p -> p != null && "Failed".equals(p.phase()));
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (meta.nodeExists("n2")) {
      assertTrue(System.nanoTime() < end);
      sleep(20);
    }
    String reborn = add(ns, "reborn", uNew, "c-new", "gc-b");

    List<Reclaimed> reclaimed = await(gc.sweep());
    assertEquals(new TreeMap<>(Map.of(
        "gone " + gone, "pod_deleted",
        "reborn " + old, "pod_uid_changed",
        "orphan " + orphan, "node_deleted",
        "done " + done, "pod_finished",
        "evicted " + evicted, "pod_finished")), byPod(reclaimed));
    assertEquals(List.of("live " + live, "reborn " + reborn, "restarting " + restarting), held(ns));
    assertEquals(Map.of("pod_deleted", 1, "pod_uid_changed", 1, "node_deleted", 1, "pod_finished", 2), counted);
    // The history names the reason; the pools' status dropped the addresses; the dead pods' records are gone.
    assertEquals(List.of("done pod_finished", "evicted pod_finished", "gone pod_deleted", "orphan node_deleted",
        "reborn pod_uid_changed"), fx.strings("SELECT pod || ' ' || reason FROM reporting.allocation_events "
        + "WHERE namespace = $1 AND reason IS NOT NULL ORDER BY pod", ns));
    assertEquals(List.of("live", "reborn", "restarting"), fx.strings("SELECT name FROM resources WHERE resource = "
        + "'spiderendpoints' AND namespace = $1 ORDER BY name", ns));
    assertEquals(uNew, fx.strings("SELECT body #>> '{status,current,uid}' FROM resources WHERE resource = "
        + "'spiderendpoints' AND namespace = $1 AND name = 'reborn'", ns).get(0));
    assertEquals(1, fx.served("gc-b").at("/status/allocatedIPCount").asInt());
    // A second sweep finds nothing more.
    assertEquals(List.of(), await(gc.sweep()));
  }

  @Test
  void terminatingPod_isReclaimedOnlyPastGracePlusDelay_andGetsNoNewAddress() {
    String ns = "term";
    node("n1");
    String uid = pod(ns, "slow", "n1", b -> b.editMetadata().addToFinalizers("test.io/hold").endMetadata());
    settle(ns, "slow", p -> p != null);
    String slow = add(ns, "slow", uid, "c-slow", "gc-a");
    client.pods().inNamespace(ns).withName("slow").withGracePeriod(30).delete();
    settle(ns, "slow", p -> p != null && p.deletionTimestamp() != null);

    assertEquals(Map.of(), byPod(await(gc.sweep())));
    assertEquals(List.of("slow " + slow), held(ns));
    IpamException dead = assertThrows(IpamException.class, () -> add(ns, "slow", uid, "c-2", "gc-a"));
    assertEquals("dead Pod term/slow, we cannot allocate IP addresees to it", dead.getMessage());

    // Past deletionTimestamp + grace + the additional 5 s.
    skew = Duration.ofSeconds(120);
    assertEquals(Map.of("slow " + slow, "terminating_past_grace"), byPod(await(gc.sweep())));
    assertEquals(List.of(), held(ns));
  }

  @Test
  void statefulSetPod_keepsItsAddressAcrossRecreation_scaleDownReleasesTheOrdinalsAbove() {
    String ns = "sts";
    node("n1");
    client.apps().statefulSets().inNamespace(ns).resource(new StatefulSetBuilder().withNewMetadata()
        .withNamespace(ns).withName("db").endMetadata().withNewSpec().withReplicas(2).endSpec().build()).create();
    Function<PodBuilder, PodBuilder> owned = b -> b.editMetadata().addNewOwnerReference().withApiVersion("apps/v1")
        .withKind("StatefulSet").withName("db").withUid("sts-uid").withController(true).endOwnerReference()
        .endMetadata();
    String u0a = pod(ns, "db-0", "n1", owned);
    String u1a = pod(ns, "db-1", "n1", owned);
    settle(ns, "db-1", p -> p != null);
    String a0 = add(ns, "db-0", u0a, "c-0a", "gc-a");
    String a1 = add(ns, "db-1", u1a, "c-1a", "gc-a");
    assertEquals("StatefulSet", fx.strings("SELECT body #>> '{status,ownerControllerType}' FROM resources "
        + "WHERE resource = 'spiderendpoints' AND namespace = $1 AND name = 'db-0'", ns).get(0));

    // db-0 is gone for a moment: still a valid replica, so the sweep keeps its address ...
    forceDelete(ns, "db-0");
    settle(ns, "db-0", p -> p == null);
    assertEquals(List.of(), await(gc.sweep()));
    // ... and the re-created pod (new UID, new sandbox) gets the same address.
    String u0b = pod(ns, "db-0", "n1", owned);
    settle(ns, "db-0", p -> p != null);
    long poolVersion = fx.scalar("SELECT resource_version FROM resources WHERE resource = 'spiderippools' "
        + "AND name = 'gc-a'");
    assertEquals(a0, add(ns, "db-0", u0b, "c-0b", "gc-a"));
    // The move is published like any change of the pool: a new resourceVersion, and history a watcher can
    // replay (the predecessor's release, then the allocation to the new pod).
    assertTrue(fx.scalar("SELECT resource_version FROM resources WHERE resource = 'spiderippools' "
        + "AND name = 'gc-a'") > poolVersion);
    assertEquals(List.of("allocate " + u0a + " -", "release " + u0a + " statefulset_adopted",
            "allocate " + u0b + " -"),
        fx.strings("SELECT event || ' ' || pod_uid || ' ' || coalesce(reason, '-') FROM reporting.allocation_events "
            + "WHERE namespace = $1 AND pod = 'db-0' ORDER BY id", ns));
    assertEquals(List.of(u0b + " c-0b"), fx.strings("SELECT pod_uid || ' ' || container_id FROM ipam_allocations "
        + "WHERE pod_namespace = $1 AND pod_name = 'db-0'", ns));
    assertEquals(u0b, fx.strings("SELECT body #>> '{status,current,uid}' FROM resources WHERE resource = "
        + "'spiderendpoints' AND namespace = $1 AND name = 'db-0'", ns).get(0));

    // A new pool selection: the outdated address goes, a new one comes from the pool the pod asks for now.
    forceDelete(ns, "db-0");
    settle(ns, "db-0", p -> p == null);
    String u0c = pod(ns, "db-0", "n1", owned);
    settle(ns, "db-0", p -> p != null && p.uid().equals(u0c));
    String b0 = add(ns, "db-0", u0c, "c-0c", "gc-b");
    assertTrue(b0.startsWith("10.51."), b0);
    assertEquals(List.of("db-0 statefulset_adopted", "db-0 statefulset_pool_changed"), fx.strings("SELECT pod || "
        + "' ' || reason FROM reporting.allocation_events WHERE namespace = $1 AND reason IS NOT NULL ORDER BY id", ns));

    // Scale down to 1: db-1 is deleted by the controller, its address goes; db-0 keeps its own.
    client.apps().statefulSets().inNamespace(ns).withName("db").edit(s -> {
      s.getSpec().setReplicas(1);
      return s;
    });
    forceDelete(ns, "db-1");
    settle(ns, "db-1", p -> p == null);
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (meta.statefulSetReplicas(ns, "db").orElse(0) != 1) {
      assertTrue(System.nanoTime() < end);
      sleep(20);
    }
    assertEquals(Map.of("db-1 " + a1, "statefulset_scaled_down"), byPod(await(gc.sweep())));
    assertEquals(List.of("db-0 " + b0), held(ns));
  }

  @Test
  void delForALivePod_keepsItsAddress_addForAMissingPodFails() {
    String ns = "del";
    node("n1");
    String uid = pod(ns, "web", "n1");
    settle(ns, "web", p -> p != null);
    String ip = add(ns, "web", uid, "c-web", "gc-a");
    // kubelet re-creating the sandbox: the pod is alive, the DEL releases nothing.
    await(alloc.release(new DelArgs("c-web", "eth0", null, ns, "web", uid)));
    assertEquals(List.of("web " + ip), held(ns));
    forceDelete(ns, "web");
    await(alloc.release(new DelArgs("c-web", "eth0", null, ns, "web", uid)));
    assertEquals(List.of(), held(ns));

    IpamException missing = assertThrows(IpamException.class, () -> add(ns, "nobody", "u-x", "c-x", "gc-a"));
    assertEquals("failed to get Pod del/nobody: pods \"nobody\" not found", missing.getMessage());
  }

  @Test
  void podEvents_reclaimWithoutWaitingForTheSweep() {
    String ns = "events";
    node("n1");
    String uid = pod(ns, "quick", "n1");
    settle(ns, "quick", p -> p != null);
    add(ns, "quick", uid, "c-q", "gc-a");
    gc.start();
    forceDelete(ns, "quick");
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!held(ns).isEmpty()) {
      assertTrue(System.nanoTime() < end, "the pod's deletion event did not reclaim its address");
      sleep(50);
    }
    assertEquals(Map.of("pod_deleted", 1), counted);
  }

  @Test
  void concurrentAddForARecreatedPod_keepsItsAddress_andOnlyOneReplicaSweeps() {
    String ns = "race";
    node("n1");
    String[] oldUids = new String[20];
    String[] newUids = new String[20];
    for (int i = 0; i < 20; i++) {
      oldUids[i] = pod(ns, "p" + i, "n1");
    }
    settle(ns, "p19", p -> p != null);
    for (int i = 0; i < 20; i++) {
      add(ns, "p" + i, oldUids[i], "c-old-" + i, "gc-a");
    }
    for (int i = 0; i < 20; i++) {
      forceDelete(ns, "p" + i);
    }
    settle(ns, "p19", p -> p == null);
    for (int i = 0; i < 20; i++) {
      newUids[i] = pod(ns, "p" + i, "n1");
    }
    String last = newUids[19];
    settle(ns, "p19", p -> p != null && p.uid().equals(last));
    // While another replica holds the sweep lock, this one does not sweep.
    var other = await(fx.db.getConnection());
    await(other.query("SELECT pg_advisory_lock(" + 0x6970706f6f6c6763L + ")").execute());
    assertEquals(List.of(), await(gc.sweep()));
    assertEquals(20, held(ns).size());
    await(other.query("SELECT pg_advisory_unlock(" + 0x6970706f6f6c6763L + ")").execute());
    await(other.close());

    // The re-created pods ADD while the sweep runs: every new address survives, every old one goes.
    Future<List<Reclaimed>> sweep = gc.sweep();
    List<Future<IpamModels.AddResponse>> adds = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      adds.add(alloc.allocate(new AddArgs("c-new-" + i, "eth0", "/x", ns, "p" + i, newUids[i], List.of("gc-a"),
          List.of(), false, false)));
    }
    await(Future.all(adds));
    List<Reclaimed> reclaimed = new java.util.ArrayList<>(await(sweep));
    reclaimed.addAll(await(gc.sweep()));
    List<String> olds = List.of(oldUids);
    assertTrue(reclaimed.stream().allMatch(r -> olds.contains(r.uid())), reclaimed.toString());
    assertEquals(20, reclaimed.size());
    for (int i = 0; i < 20; i++) {
      String got = adds.get(i).result().ips().get(0).address().split("/")[0];
      assertEquals(List.of("p" + i + " " + got + " " + newUids[i]), fx.strings("SELECT pod_name || ' ' || "
          + "host(address) || ' ' || pod_uid FROM ipam_allocations WHERE pod_namespace = $1 AND pod_name = $2",
          ns, "p" + i));
    }
  }
}
