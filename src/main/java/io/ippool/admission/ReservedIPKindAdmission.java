package io.ippool.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.spiderpool.admission.ReservedIPAdmission;
import io.ippool.registry.KindAdmission;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/** Spiderpool's SpiderReservedIP webhooks, in-process. */
public final class ReservedIPKindAdmission implements KindAdmission {
  private final ReservedIPAdmission webhook;

  public ReservedIPKindAdmission(ReservedIPAdmission webhook) {
    this.webhook = webhook;
  }

  @Override
  public void mutate(Operation op, ObjectNode old, ObjectNode obj) {
    if (op != Operation.DELETE) {
      webhook.mutate(obj);
    }
  }

  @Override
  public Future<Void> validate(SqlConnection tx, Operation op, ObjectNode old, ObjectNode obj) {
    try {
      switch (op) {
        case CREATE -> webhook.validateCreate(obj);
        case UPDATE -> {
          // Spiderpool refuses every update of a terminating reservation, which would leave one with a
          // foreign finalizer stuck forever; letting metadata-only updates (finalizer removal) through fixes that.
          boolean terminating = old.path("metadata").has("deletionTimestamp");
          if (!(terminating && old.path("spec").equals(obj.path("spec")))) {
            webhook.validateUpdate(old, obj);
          }
        }
        default -> { }
      }
      return Future.succeededFuture();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
