package io.ippool.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * The admission webhooks a kind had under Spiderpool (mutating, then validating), run in-process inside
 * the write transaction so cross-object checks see a stable view.
 */
public interface KindAdmission {
  enum Operation { CREATE, UPDATE, DELETE }

  /** Mutates {@code obj} in place (webhook defaulting). Never fails: invalid objects fail validation. */
  void mutate(Operation op, ObjectNode old, ObjectNode obj);

  /** Validates; fails with an ApiException (422, 403, 409). {@code old} is null on CREATE. */
  Future<Void> validate(SqlConnection tx, Operation op, ObjectNode old, ObjectNode obj);

  /**
   * The mutating phase as the registry runs it, with the request's attributes. The default runs the in-process
   * {@link #mutate(Operation, ObjectNode, ObjectNode)} except on /status, which Spiderpool's webhooks never
   * covered; decorators that call out of the process (the cluster's webhooks) override this.
   */
  default Future<Void> mutate(SqlConnection tx, Operation op, ObjectNode old, ObjectNode obj,
                              AdmissionAttributes attrs) {
    if (!"status".equals(attrs.subresource())) {
      mutate(op, old, obj);
    }
    return Future.succeededFuture();
  }

  /** The validating phase with the request's attributes; the default skips /status like {@link #mutate}. */
  default Future<Void> validate(SqlConnection tx, Operation op, ObjectNode old, ObjectNode obj,
                                AdmissionAttributes attrs) {
    if ("status".equals(attrs.subresource())) {
      return Future.succeededFuture();
    }
    return validate(tx, op, old, obj);
  }

  KindAdmission NONE = new KindAdmission() {
    @Override
    public void mutate(Operation op, ObjectNode old, ObjectNode obj) {
    }

    @Override
    public Future<Void> validate(SqlConnection tx, Operation op, ObjectNode old, ObjectNode obj) {
      return Future.succeededFuture();
    }
  };
}
