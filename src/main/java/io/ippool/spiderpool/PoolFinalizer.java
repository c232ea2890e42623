package io.ippool.spiderpool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Spiderpool's controller drops its finalizer from a terminating pool once no address is allocated; the server
 * does it in the same transaction as the write (the allocator does it when the last address is released).
 */
public final class PoolFinalizer {
  private PoolFinalizer() {
  }

  public static void releaseWhenUnused(ObjectNode pool) {
    JsonNode meta = pool.path("metadata");
    if (!meta.has("deletionTimestamp")) {
      return;
    }
    if (pool.path("status").path("allocatedIPCount").asLong(0) > 0) {
      return;
    }
    if (meta.get("finalizers") instanceof ArrayNode arr) {
      for (int i = arr.size() - 1; i >= 0; i--) {
        if (Spiderpool.FINALIZER.equals(arr.get(i).asText())) {
          arr.remove(i);
        }
      }
    }
  }
}
