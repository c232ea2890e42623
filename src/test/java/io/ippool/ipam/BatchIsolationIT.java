package io.ippool.ipam;

import io.ippool.store.allocation.SqlAllocationRepository;
import static io.ippool.store.allocation.AllocFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.AddResponse;
import io.ippool.ipam.IpamModels.DelArgs;
import io.ippool.store.allocation.AllocFixture;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One request the database refuses must fail alone: the other requests coalesced into its batch are served.
 * The refusal is made real with a trigger that rejects one container ID, as a constraint or a data error
 * the validation did not foresee would.
 */
class BatchIsolationIT {
  private static final String POISON_TRIGGER = """
      CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
          IF (TG_OP = 'INSERT' AND NEW.container_id LIKE 'poison%')
             OR (TG_OP = 'DELETE' AND OLD.container_id LIKE 'undeletable%') THEN
              RAISE EXCEPTION 'refused by the test: secret-driver-detail';
          END IF;
          RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$;
      CREATE TRIGGER test_poison BEFORE INSERT OR DELETE ON ipam_allocations
         FOR EACH ROW EXECUTE FUNCTION test_poison();
      """;

  private static AddArgs add(String container, String pod) {
    return new AddArgs(container, "eth0", "/proc/1/ns/net", "load", pod, "uid-" + pod, List.of("big"), List.of(),
        false, false);
  }

  private static DelArgs del(String container, String pod) {
    return new DelArgs(container, "eth0", "", "load", pod, "uid-" + pod);
  }

  @Test
  void aRefusedRequestFailsAlone_addAndDel() {
    try (AllocFixture fx = AllocFixture.fresh()) {
      fx.pool("big", "10.30.0.0/16", List.of("10.30.0.1-10.30.255.254"));
      await(fx.db.query(POISON_TRIGGER).execute());
      Allocator allocator = new Allocator(new SqlAllocationRepository(fx.db), KubeMetadata.standalone(),
          AllocatorConfig.defaults().withMaxAllocatedIPs(0));

      // 100 good ADDs and 5 refused ones submitted at once, so they share batches.
      List<Future<AddResponse>> adds = new ArrayList<>();
      for (int i = 0; i < 105; i++) {
        adds.add(i % 21 == 7 ? allocator.allocate(add("poison-" + i, "bad-" + i))
            : allocator.allocate(add("ctr-" + i, "pod-" + i)));
      }
      await(Future.join(adds).otherwiseEmpty());
      int good = 0;
      for (int i = 0; i < adds.size(); i++) {
        AsyncResult<AddResponse> r = adds.get(i);
        if (i % 21 == 7) {
          assertTrue(r.failed(), "poisoned request " + i);
          assertTrue(r.cause() instanceof IpamException, String.valueOf(r.cause()));
          assertFalse(r.cause().getMessage().contains("secret-driver-detail"), r.cause().getMessage());
        } else {
          assertTrue(r.succeeded(), "good request " + i + ": " + r.cause());
          good++;
        }
      }
      assertEquals(100, good);
      assertEquals(100, fx.scalar("SELECT count(*) FROM ipam_allocations"));

      // A container that cannot be released, among 100 good DELs.
      await(fx.db.query("ALTER TABLE ipam_allocations DISABLE TRIGGER test_poison").execute());
      await(allocator.allocate(add("undeletable-1", "stuck")));
      await(fx.db.query("ALTER TABLE ipam_allocations ENABLE TRIGGER test_poison").execute());
      List<Future<Void>> dels = new ArrayList<>();
      for (int i = 0; i < 105; i++) {
        if (i % 21 == 7) {
          dels.add(i == 7 ? allocator.release(del("undeletable-1", "stuck")) : Future.succeededFuture());
        } else {
          dels.add(allocator.release(del("ctr-" + i, "pod-" + i)));
        }
      }
      await(Future.join(dels).otherwiseEmpty());
      for (int i = 0; i < dels.size(); i++) {
        if (i == 7) {
          assertTrue(dels.get(i).failed(), "undeletable release");
          assertFalse(dels.get(i).cause().getMessage().contains("secret-driver-detail"));
        } else {
          assertTrue(dels.get(i).succeeded(), "good release " + i + ": " + dels.get(i).cause());
        }
      }
      assertEquals(1, fx.scalar("SELECT count(*) FROM ipam_allocations"));
      assertEquals(1, fx.scalar("SELECT allocated_count FROM ipam_pools WHERE pool = 'big'"));
    }
  }
}
