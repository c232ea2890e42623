package io.ippool.spiderpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.spiderpool.TopController.OwnerRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopControllerTest {
  @Test
  void controllerReferenceDecides_deploymentBehindItsReplicaSet() {
    assertEquals(new TopController("Pod", "lonely"), TopController.of("lonely", List.of(), Map.of()));
    assertEquals(new TopController("Deployment", "web"), TopController.of("web-7d9f-x",
        List.of(new OwnerRef("ReplicaSet", "web-7d9f", true)), Map.of("pod-template-hash", "7d9f")));
    // A ReplicaSet of its own (no template hash matching its name) stays a ReplicaSet.
    assertEquals(new TopController("ReplicaSet", "rs"), TopController.of("rs-a",
        List.of(new OwnerRef("ReplicaSet", "rs", true)), Map.of()));
    assertEquals(new TopController("StatefulSet", "db"), TopController.of("db-0",
        List.of(new OwnerRef("Node", "n1", false), new OwnerRef("StatefulSet", "db", true)), Map.of()));
    assertEquals(new TopController("Pod", "p"), TopController.of("p", List.of(new OwnerRef("Node", "n1", false)),
        Map.of()));
  }

  @Test
  void statefulSetOrdinals() {
    assertEquals(0, GarbageRules.ordinal("db-0", "db"));
    assertEquals(12, GarbageRules.ordinal("db-12", "db"));
    assertEquals(-1, GarbageRules.ordinal("db-x", "db"));
    assertEquals(-1, GarbageRules.ordinal("db-", "db"));
    assertEquals(-1, GarbageRules.ordinal("other-1", "db"));
  }

  @Test
  void liveness_asSpiderpoolsIsPodAlive() {
    TopController pod = new TopController("Pod", "p");
    assertTrue(new PodState("u", "n", null, 30, "Running", "Always", null, pod).alive());
    assertFalse(new PodState("u", "n", java.time.Instant.EPOCH, 30, "Running", "Always", null, pod).alive());
    assertFalse(new PodState("u", "n", null, 30, "Succeeded", "OnFailure", null, pod).alive());
    assertTrue(new PodState("u", "n", null, 30, "Succeeded", "Always", null, pod).alive());
    assertFalse(new PodState("u", "n", null, 30, "Failed", "Never", null, pod).alive());
    assertTrue(new PodState("u", "n", null, 30, "Failed", "OnFailure", null, pod).alive());
    assertFalse(new PodState("u", "n", null, 30, "Failed", "Always", "Evicted", pod).alive());
  }
}
