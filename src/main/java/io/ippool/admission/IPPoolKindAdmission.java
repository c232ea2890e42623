package io.ippool.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.iprange.Cidr;
import io.ippool.registry.KindAdmission;
import io.ippool.spiderpool.admission.IPPoolAdmission;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;

/**
 * Spiderpool's SpiderIPPool webhooks, in-process. Runs under the kind's write lock, so the overlap checks
 * against the other pools cannot race with a concurrent pool write.
 */
public final class IPPoolKindAdmission implements KindAdmission {
  private final IPPoolAdmission webhook;
  private final PoolNeighbours.Source neighbours;

  public IPPoolKindAdmission(IPPoolAdmission webhook, PoolNeighbours.Source neighbours) {
    this.webhook = webhook;
    this.neighbours = neighbours;
  }

  @Override
  public void mutate(Operation op, ObjectNode old, ObjectNode obj) {
    if (op != Operation.DELETE) {
      webhook.mutate(obj);
    }
  }

  /** An unparsable subnet concerns nobody; validation reports it. */
  private static Future<List<ObjectNode>> overlapping(PoolNeighbours n, ObjectNode pool) {
    Cidr subnet = Cidr.parse(pool.path("spec").path("subnet").asText(""));
    return subnet == null ? Future.succeededFuture(List.of()) : n.overlapping(subnet);
  }

  @Override
  public Future<Void> validate(SqlConnection tx, Operation op, ObjectNode old, ObjectNode obj) {
    PoolNeighbours n = neighbours.within(tx);
    return switch (op) {
      case CREATE -> overlapping(n, obj).map(pools -> {
        webhook.validateCreate(obj, pools);
        return null;
      });
      case UPDATE -> overlapping(n, obj).compose(pools ->
          n.allocated(obj.path("metadata").path("name").asText()).map(inUse -> {
            webhook.validateUpdate(old, obj, pools, inUse);
            return null;
          }));
      case DELETE -> Future.succeededFuture(); // Spiderpool's delete check is off by default; the finalizer guards
    };
  }
}
