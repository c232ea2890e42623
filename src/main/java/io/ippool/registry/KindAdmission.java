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
