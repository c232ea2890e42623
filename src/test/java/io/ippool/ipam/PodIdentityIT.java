package io.ippool.ipam;

import io.ippool.store.allocation.SqlAllocationRepository;
import static io.ippool.store.allocation.AllocFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.AddResponse;
import io.ippool.ipam.IpamModels.DelArgs;
import io.ippool.store.allocation.AllocFixture;
import io.vertx.core.Future;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A container ID belongs to the pod (UID) that first got an address with it. */
class PodIdentityIT {
  private static AddArgs add(String container, String ifName, String pod, String uid) {
    return new AddArgs(container, ifName, "/proc/1/ns/net", "default", pod, uid, List.of("web"), List.of(),
        false, false);
  }

  @Test
  void anotherPodPresentingTheContainerGetsNothing() {
    try (AllocFixture fx = AllocFixture.fresh()) {
      fx.pool("web", "10.40.0.0/24", List.of("10.40.0.10-10.40.0.50"));
      Allocator allocator = new Allocator(new SqlAllocationRepository(fx.db), KubeMetadata.standalone(), AllocatorConfig.defaults());

      AddResponse first = await(allocator.allocate(add("c1", "eth0", "pod-a", "uid-a")));
      assertEquals("10.40.0.10/24", first.ips().get(0).address());
      // The same pod repeating its ADD gets the same address.
      assertEquals("10.40.0.10/24", await(allocator.allocate(add("c1", "eth0", "pod-a", "uid-a")))
          .ips().get(0).address());

      // Another pod with the same container ID, on the same or another interface: a clear error.
      for (String ifName : List.of("eth0", "net1")) {
        IpamException e = assertThrows(IpamException.class,
            () -> await(allocator.allocate(add("c1", ifName, "pod-b", "uid-b"))));
        assertTrue(e.getMessage().contains("container ID c1 belongs to Pod default/pod-a (UID uid-a)"),
            e.getMessage());
      }
      assertEquals(1, fx.scalar("SELECT count(*) FROM ipam_allocations"));

      // The same pod name with a new UID (a re-created pod) is another pod as well.
      assertThrows(IpamException.class, () -> await(allocator.allocate(add("c1", "eth0", "pod-a", "uid-a2"))));

      // Two pods racing for a fresh container ID in one batch: exactly one gets it.
      List<Future<AddResponse>> race = List.of(allocator.allocate(add("c2", "eth0", "pod-c", "uid-c")),
          allocator.allocate(add("c2", "eth0", "pod-d", "uid-d")),
          allocator.allocate(add("c2", "eth0", "pod-e", "uid-e")));
      await(Future.join(race).otherwiseEmpty());
      assertEquals(1, race.stream().filter(Future::succeeded).count());
      assertEquals(1, fx.scalar("SELECT count(*) FROM ipam_allocations WHERE container_id = 'c2'"));

      // A DEL naming another pod's UID releases nothing (and succeeds); the holder's DEL releases.
      await(allocator.release(new DelArgs("c1", "eth0", "", "default", "pod-b", "uid-b")));
      assertEquals(1, fx.scalar("SELECT count(*) FROM ipam_allocations WHERE container_id = 'c1'"));
      await(allocator.release(new DelArgs("c1", "eth0", "", "default", "pod-a", "uid-a")));
      assertEquals(0, fx.scalar("SELECT count(*) FROM ipam_allocations WHERE container_id = 'c1'"));
    }
  }
}
