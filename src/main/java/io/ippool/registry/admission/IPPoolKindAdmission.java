package io.ippool.registry.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.admission.IPPoolAdmission;
import io.ippool.iprange.Cidr;
import java.util.List;
import io.ippool.registry.KindAdmission;
import io.ippool.store.ResourceStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * Spiderpool's SpiderIPPool webhooks, in-process. Runs under the kind's write lock, so the overlap checks
 * against the other pools cannot race with a concurrent pool write.
 */
public final class IPPoolKindAdmission implements KindAdmission {
  private final IPPoolAdmission webhook;
  private final ResourceStore store;
  private final AllocatedAddresses allocated;

  public IPPoolKindAdmission(IPPoolAdmission webhook, ResourceStore store, AllocatedAddresses allocated) {
    this.webhook = webhook;
    this.store = store;
    this.allocated = allocated;
  }

  @Override
  public void mutate(Operation op, ObjectNode old, ObjectNode obj) {
    if (op != Operation.DELETE) {
      webhook.mutate(obj);
    }
  }

  /**
   * The pools the overlap rules can concern: those whose subnet overlaps this one's (an index lookup, not a
   * scan of every pool). An unparsable subnet concerns nobody; validation reports it.
   */
  private Future<List<ObjectNode>> neighbours(SqlConnection tx, ObjectNode pool) {
    Cidr subnet = Cidr.parse(pool.path("spec").path("subnet").asText(""));
    return subnet == null ? Future.succeededFuture(List.of())
        : store.poolsOverlapping(tx, subnet.canonical());
  }

  @Override
  public Future<Void> validate(SqlConnection tx, Operation op, ObjectNode old, ObjectNode obj) {
    return switch (op) {
      case CREATE -> neighbours(tx, obj).map(pools -> {
        webhook.validateCreate(obj, pools);
        return null;
      });
      case UPDATE -> neighbours(tx, obj).compose(pools ->
          allocated.of(tx, obj.path("metadata").path("name").asText()).map(inUse -> {
            webhook.validateUpdate(old, obj, pools, inUse);
            return null;
          }));
      case DELETE -> Future.succeededFuture(); // Spiderpool's delete check is off by default; the finalizer guards
    };
  }
}
