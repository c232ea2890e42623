package io.ippool.ipam;

import io.ippool.store.allocation.SqlAllocationRepository;
import static io.ippool.store.allocation.AllocFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.ippool.store.allocation.AllocFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Informer-backed metadata against fabric8's mock API server in CRUD mode, then used for pool filtering. */
@EnableKubernetesMockClient(crud = true)
class Fabric8KubeMetadataIT {
  static KubernetesClient client;

  @Test
  void informersFeedSelection() throws Exception {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("team-a")
        .addToLabels("tier", "gold")
        .addToAnnotations("ipam.spidernet.io/default-ipv4-ippool", "[\"gold\"]").endMetadata().build()).create();
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").addToLabels("zone", "east")
        .endMetadata().build()).create();
    client.pods().inNamespace("team-a").resource(new PodBuilder().withNewMetadata().withName("web-1")
        .addToLabels("app", "web").endMetadata().withNewSpec().withNodeName("n1").endSpec().build()).create();

    try (AllocFixture fx = AllocFixture.fresh()) {
      Fabric8KubeMetadata meta = await(Fabric8KubeMetadata.start(fx.vertx, client));
      KubeMetadata.Pod pod = await(meta.pod("team-a", "web-1"));
      assertEquals(Map.of("app", "web"), pod.labels());
      assertEquals("n1", pod.nodeName());
      assertTrue(pod.alive());
      assertEquals("gold", await(meta.namespace("team-a")).labels().get("tier"));
      assertEquals(Map.of("zone", "east"), await(meta.nodeLabels("n1")));
      IpamException missing = assertThrows(IpamException.class, () -> await(meta.pod("team-a", "nope")));
      assertEquals("failed to get Pod team-a/nope: pods \"nope\" not found", missing.getMessage());

      // The namespace annotation picks the pool; its affinities are matched against informer data.
      fx.pool("gold", "10.30.0.0/24", List.of("10.30.0.1-10.30.0.9"), List.of(), s -> {
        s.putObject("podAffinity").putObject("matchLabels").put("app", "web");
        s.putObject("nodeAffinity").putObject("matchLabels").put("zone", "east");
        s.putObject("namespaceAffinity").putObject("matchLabels").put("tier", "gold");
      });
      Allocator alloc = new Allocator(new SqlAllocationRepository(fx.db), meta, AllocatorConfig.defaults());
      var r = await(alloc.allocate(new IpamModels.AddArgs("c1", "eth0", "", "team-a", "web-1", "u1", List.of(),
          List.of(), false, false)));
      assertEquals("10.30.0.1/24", r.ips().get(0).address());

      client.pods().inNamespace("team-a").resource(new PodBuilder().withNewMetadata().withName("db-1")
          .addToLabels("app", "db").endMetadata().withNewSpec().withNodeName("n1").endSpec().build()).create();
      String msg = assertThrows(IpamException.class, () -> await(alloc.allocate(new IpamModels.AddArgs("c2", "eth0",
          "", "team-a", "db-1", "u2", List.of(), List.of(), false, false)))).getMessage();
      assertEquals("failed to allocate IP addresses in standard mode: no IPPool available, all IPv4 IPPools [gold] "
          + "of eth0 filtered out: unmatched Pod affinity of IPPool gold", msg);
      assertFalse(Fabric8KubeMetadata.alive(new PodBuilder().withNewMetadata().withName("x")
          .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build()));
      meta.close();
    }
  }
}
