package io.ippool.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.ResourceKind;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;

/**
 * Work that must happen in the same transaction as a write of an object, e.g. keeping the allocator's
 * range tables in step with SpiderIPPool and SpiderReservedIP specs. A hook may veto the write by failing
 * the Future with an {@link io.ippool.errors.ApiException}; it may return warnings for the client.
 */
public interface WriteHook {

  /**
   * @param tx       the open write transaction
   * @param kind     the kind being written
   * @param previous the stored object before the write, or null on create
   * @param next     the object about to be stored, or null when it is being removed for good
   * @return warnings to send to the client as {@code Warning} headers (may be empty)
   */
  Future<List<String>> beforeCommit(SqlConnection tx, ResourceKind kind, ObjectNode previous, ObjectNode next);
}
