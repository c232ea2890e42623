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
  /** Sets the projected fields on each object, in place, as they are now. */
  Future<Void> project(SqlClient client, List<ObjectNode> objects);

  /**
   * For objects read from the event log whose event is marked {@code projected} (their costly fields were
   * left out when the event was written): sets those fields as they were at {@code revisions.get(i)} for
   * {@code objects.get(i)}, in place. A revision must not be older than the compaction point.
   */
  Future<Void> projectAt(SqlClient client, List<ObjectNode> objects, List<Long> revisions);

  /** The same fields kept in memory and moved forward by what changed, or null when the kind offers none. */
  default IncrementalProjection incremental() {
    return null;
  }
}
