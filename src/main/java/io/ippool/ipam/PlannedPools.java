package io.ippool.ipam;

import io.ippool.spiderpool.StoredPool;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pool bodies batches are planned with, kept between batches. Safe to be out of date: every batch
 * sends the fingerprints it planned with and the database refuses a batch whose pools changed
 * ({@code "stale"}); the batch then plans again from {@link #fresh}. Pools rarely change, so a batch
 * normally costs one statement, not two.
 */
final class PlannedPools {
  private final AllocationRepository repository;
  private final Map<String, StoredPool> known = new ConcurrentHashMap<>();

  PlannedPools(AllocationRepository repository) {
    this.repository = repository;
  }

  /** The named pools that exist with allocator state: remembered ones as remembered, others read. */
  Future<Map<String, StoredPool>> get(Collection<String> names) {
    Map<String, StoredPool> out = new HashMap<>();
    Set<String> missing = new TreeSet<>();
    for (String n : names) {
      StoredPool p = known.get(n);
      if (p != null) {
        out.put(n, p);
      } else {
        missing.add(n);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture(out);
    }
    return read(missing).map(read -> {
      out.putAll(read);
      return out;
    });
  }

  /** The named pools as stored now. */
  Future<Map<String, StoredPool>> fresh(Collection<String> names) {
    return read(names).map(HashMap::new);
  }

  private Future<Map<String, StoredPool>> read(Collection<String> names) {
    return repository.poolsToPlan(names).map(read -> {
      for (String n : names) {
        StoredPool p = read.get(n);
        if (p == null) {
          known.remove(n);
        } else {
          known.put(n, p);
        }
      }
      return read;
    });
  }
}
