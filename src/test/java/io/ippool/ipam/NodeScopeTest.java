package io.ippool.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeScopeTest {
  /** Pods "a" on node-1, "b" on node-2; anything else is not found (a pod already gone). */
  private static final KubeMetadata CLUSTER = new KubeMetadata() {
    @Override
    public Future<Pod> pod(String namespace, String name) {
      return switch (name) {
        case "a" -> Future.succeededFuture(new Pod(Map.of(), Map.of(), "node-1", true));
        case "b" -> Future.succeededFuture(new Pod(Map.of(), Map.of(), "node-2", true));
        default -> Future.failedFuture("failed to get Pod " + namespace + "/" + name + ": not found");
      };
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

  @Test
  void aNodeServesOnlyItsOwnPods_adminsAndUnknownPodsAreNotScoped() {
    NodeScope scope = new NodeScope(CLUSTER);
    assertTrue(scope.allow("node-1", "default", "a").succeeded());
    Future<Void> other = scope.allow("node-1", "default", "b");
    assertTrue(other.failed());
    IpamException e = (IpamException) other.cause();
    assertEquals("node node-1 may not allocate or release addresses for Pod default/b, which runs on node node-2",
        e.getMessage());
    assertTrue(scope.allow(null, "default", "b").succeeded(), "admins and the unix socket are not scoped");
    assertTrue(scope.allow("node-1", "default", "gone").succeeded(), "a DEL for a pod already gone still works");
    assertTrue(new NodeScope(KubeMetadata.standalone()).allow("node-1", "default", "b").succeeded(),
        "without a cluster the pod's node is unknown");
  }
}
