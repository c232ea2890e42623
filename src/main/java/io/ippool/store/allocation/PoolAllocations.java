package io.ippool.store.allocation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.store.IncrementalProjection;
import java.util.TreeMap;

/**
 * One SpiderIPPool's allocatedIPs held in memory: entry texts by address, in the order Go's json.Marshal
 * writes map keys (bytewise; addresses are ASCII, so String order). Changes cost O(log n); only rendering
 * the text is O(pool), and the hub does that only for events it actually sends.
 */
final class PoolAllocations implements IncrementalProjection.State {
  private final TreeMap<String, String> entries = new TreeMap<>();

  void put(String ip, String entry) {
    entries.put(ip, entry);
  }

  @Override
  public void apply(IncrementalProjection.Change change) {
    AllocationChange c = (AllocationChange) change;
    if (c.allocated()) {
      entries.put(c.ip(), c.entry());
    } else {
      entries.remove(c.ip());
    }
  }

  @Override
  public ObjectNode complete(ObjectNode body) {
    ObjectNode copy = body.deepCopy();
    PoolStatusProjection.setAllocations(copy, entries.size(), text());
    return copy;
  }

  /** The allocatedIPs text, exactly as ipam_pool_status_at builds it; null when the pool holds nothing. */
  String text() {
    if (entries.isEmpty()) {
      return null;
    }
    int size = 2 + entries.size();
    for (String e : entries.values()) {
      size += e.length();
    }
    StringBuilder sb = new StringBuilder(size).append('{');
    boolean first = true;
    for (String e : entries.values()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append(e);
    }
    return sb.append('}').toString();
  }

  /** An address taken or given back in the batch that got {@code revision}. */
  record AllocationChange(String name, long revision, boolean allocated, String ip, String entry)
      implements IncrementalProjection.Change {
  }
}
