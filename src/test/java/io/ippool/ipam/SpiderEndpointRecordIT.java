package io.ippool.ipam;

import io.ippool.store.allocation.SqlAllocationRepository;
import static io.ippool.store.allocation.AllocFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.BatchDelArgs;
import io.ippool.ipam.IpamModels.DelArgs;
import io.ippool.spiderpool.PodState;
import io.ippool.spiderpool.TopController;
import io.ippool.api.Json;
import io.ippool.store.allocation.AllocFixture;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every allocation writes the pod's SpiderEndpoint in its own transaction; the last release removes it. */
class SpiderEndpointRecordIT {
  private AllocFixture fx;
  private Allocator alloc;

  private final KubeMetadata meta = new KubeMetadata() {
    @Override
    public Future<Pod> pod(String namespace, String name) {
      TopController owner = name.startsWith("web-") ? new TopController("Deployment", "web")
          : new TopController(TopController.POD, name);
      return Future.succeededFuture(new Pod(Map.of(), Map.of(), "node1", true,
          new PodState("uid-" + name, "node1", null, 30, "Running", "Always", null, owner)));
    }

    @Override
    public Future<Meta> namespace(String name) {
      return Future.succeededFuture(Meta.EMPTY);
    }

    @Override
    public Future<Map<String, String>> nodeLabels(String nodeName) {
      return Future.succeededFuture(Map.of());
    }
  };

  @BeforeEach
  void setUp() {
    fx = AllocFixture.fresh();
    alloc = new Allocator(new SqlAllocationRepository(fx.db), meta, AllocatorConfig.defaults());
    fx.pool("v4", "10.7.0.0/16", List.of("10.7.0.10-10.7.0.20"), List.of(), s -> {
      s.put("gateway", "10.7.0.1");
      s.put("vlan", 7);
    });
    fx.pool("v6", "fd00:7::/64", List.of("fd00:7::10-fd00:7::20"));
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private ObjectNode endpoint(String ns, String name) {
    return await(fx.db.preparedQuery("SELECT body::text FROM resources WHERE resource = 'spiderendpoints' "
        + "AND namespace = $1 AND name = $2").execute(Tuple.of(ns, name))
        .map(rows -> rows.size() == 0 ? null : Json.readObject(rows.iterator().next().getString(0))));
  }

  private static AddArgs add(String pod, String container, String nic) {
    return new AddArgs(container, nic, "/proc/1/ns/net", "team", pod, "uid-" + pod, List.of("v4"), List.of("v6"),
        false, false);
  }

  @Test
  void allocationWritesTheRecord_dualStack_twoNics_lastReleaseRemovesIt() {
    long before = fx.scalar("SELECT value FROM revision_counter");
    await(alloc.allocate(add("web-1", "c1", "eth0")));
    ObjectNode se = endpoint("team", "web-1");
    assertEquals("SpiderEndpoint", se.path("kind").asText());
    assertEquals("uid-web-1", se.at("/status/current/uid").asText());
    assertEquals("node1", se.at("/status/current/node").asText());
    assertEquals("Deployment", se.at("/status/ownerControllerType").asText());
    assertEquals("web", se.at("/status/ownerControllerName").asText());
    assertEquals(Json.readObject("""
        {"interface":"eth0","ipv4":"10.7.0.10/16","ipv4Pool":"v4","ipv4Gateway":"10.7.0.1",
         "ipv6":"fd00:7::10/64","ipv6Pool":"v6","vlan":7}"""), se.at("/status/current/ips/0"));
    assertEquals(List.of("spiderpool.spidernet.io"), List.of(se.at("/metadata/finalizers/0").asText()));
    assertEquals("Pod", se.at("/metadata/ownerReferences/0/kind").asText());
    // Written with its own resourceVersion and an ADDED watch event, after the pools' revisions.
    String rv = se.at("/metadata/resourceVersion").asText();
    assertTrue(Long.parseLong(rv) > before);
    assertEquals(List.of("ADDED"), fx.strings("SELECT event_type FROM resource_events WHERE resource = "
        + "'spiderendpoints' AND resource_version = $1", Long.parseLong(rv)));

    // A repeated ADD changes nothing: no new revision for the record.
    await(alloc.allocate(add("web-1", "c1", "eth0")));
    assertEquals(rv, endpoint("team", "web-1").at("/metadata/resourceVersion").asText());

    // A second NIC: MODIFIED, entries in interface order.
    await(alloc.allocate(add("web-1", "c1", "net1")));
    se = endpoint("team", "web-1");
    assertEquals("eth0", se.at("/status/current/ips/0/interface").asText());
    assertEquals("net1", se.at("/status/current/ips/1/interface").asText());
    assertEquals("10.7.0.11/16", se.at("/status/current/ips/1/ipv4").asText());

    await(alloc.release(new DelArgs("c1", "net1", null, "team", "web-1", "uid-web-1")));
    se = endpoint("team", "web-1");
    assertEquals(1, se.at("/status/current/ips").size());
    await(alloc.release(new DelArgs("c1", "eth0", null, "team", "web-1", "uid-web-1")));
    assertNull(endpoint("team", "web-1"));
    assertEquals(List.of("ADDED", "MODIFIED", "MODIFIED", "DELETED"), fx.strings("SELECT event_type FROM "
        + "resource_events WHERE resource = 'spiderendpoints' AND name = 'web-1' ORDER BY resource_version"));
  }

  @Test
  void podWideRelease_removesEveryRecordOfThePod_otherPodsKeepTheirs() {
    await(alloc.allocate(add("a", "ca", "eth0")));
    await(alloc.allocate(add("b", "cb", "eth0")));
    assertEquals("Pod", endpoint("team", "a").at("/status/ownerControllerType").asText());
    await(alloc.releasePod(new BatchDelArgs("ca", null, "team", "a", "uid-a", false)));
    assertNull(endpoint("team", "a"));
    assertEquals("10.7.0.11/16", endpoint("team", "b").at("/status/current/ips/0/ipv4").asText());
  }
}
