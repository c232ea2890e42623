package io.ippool.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * Turns the current object into the next one, inside the write transaction (so it may read related rows
 * consistently). {@code current} is null on create. Returning an object equal to {@code current} is a no-op.
 */
@FunctionalInterface
public interface Mutation {
  Future<ObjectNode> apply(SqlConnection tx, ObjectNode current);
}
