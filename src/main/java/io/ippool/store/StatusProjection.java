package io.ippool.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.List;

/**
 * Fills fields that are computed from other tables when an object is read, e.g. SpiderIPPool's
 * status.allocatedIPs / allocatedIPCount / totalIPCount from the allocation rows. Implementations must
 * work in batches (one or a few queries for the whole list), never one query per object.
 */
public interface StatusProjection {
  /** Sets the projected fields on each object, in place. */
  Future<Void> project(SqlClient client, List<ObjectNode> objects);
}
