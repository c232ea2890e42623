package io.ippool.ipam;

import io.ippool.spiderpool.Allocation;
import io.ippool.spiderpool.PoolCatalogEntry;
import io.ippool.spiderpool.Release;
import io.ippool.spiderpool.StoredPool;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What the allocator needs stored: pools to plan with, what containers hold, and the two batch statements.
 * Each method is one round trip and its own transaction.
 */
public interface AllocationRepository {
  /** The store answers (GET /v1/ipam/healthy). */
  Future<Void> ping();

  /** The named pools that have allocator state, with their fingerprints, read without locking. */
  Future<Map<String, StoredPool>> poolsToPlan(Collection<String> names);

  /** The named pools, with or without allocator state (for answering repeated ADDs). */
  Future<Map<String, StoredPool>> readPools(Collection<String> names);

  /** Every pool, by name, for default and wildcard pool selection. */
  Future<List<PoolCatalogEntry>> catalog();

  /** What a container holds for the pod with this UID (nothing when another pod holds the container). */
  Future<List<Allocation>> byContainerOfPod(String containerId, String podUid);

  /**
   * Whether a failed statement reached the store and was refused there (a constraint, a raised error, a
   * deadlock), as opposed to the store being unreachable: only the former can be the fault of one request of
   * a batch, so only then is the batch worth splitting.
   */
  boolean isRejection(Throwable failure);

  /**
   * Allocates a planned batch atomically: locks the pools, refuses the whole batch as {@code stale} when a
   * pool's fingerprint changed, else answers every job (its existing addresses on a repeat, or one answer per
   * entry) in request order.
   */
  Future<BatchAnswer> allocate(BatchRequest request);

  /** Releases a batch of DELs; answers how many addresses were released. Unknown ones release nothing. */
  Future<Integer> release(List<Release> releases);

  /**
   * A re-created StatefulSet pod takes over its predecessor's addresses in the pools it may still use; the others
   * are reclaimed. Answers how many addresses moved.
   */
  Future<Integer> adoptStatefulSetAddresses(String namespace, String pod, String uid, String container, String node,
                                            Collection<String> keepPools);

  /**
   * @param fingerprints every pool the batch was planned with, filtered-out ones too, by name
   * @param maxAllocated records one pool may hold (0 = no limit)
   */
  record BatchRequest(Map<String, String> fingerprints, int maxAllocated, List<JobRequest> jobs) {
  }

  /**
   * One ADD: the pod's identity, its top controller (recorded on its SpiderEndpoint) and, per (NIC, family), the
   * usable pools in the order to try them.
   */
  record JobRequest(String container, String ifName, String namespace, String pod, String uid, String node,
                    String ownerType, String ownerName, List<EntryRequest> entries) {
  }

  record EntryRequest(String nic, int family, List<String> pools) {
  }

  /** @param jobs one per request job, in order; empty when {@code stale} */
  record BatchAnswer(boolean stale, List<JobAnswer> jobs) {
  }

  /**
   * @param existing non-null when the container already held the interface (a repeated ADD): what it holds
   * @param entries  one per entry answered, in order; the first failed one ends the list
   * @param conflict non-null when another pod holds the container ID: that pod; nothing was allocated
   */
  record JobAnswer(List<Allocation> existing, List<EntryAnswer> entries, PodHolder conflict) {
  }

  /** The pod that holds a container ID. */
  record PodHolder(String namespace, String pod, String uid) {
  }

  /**
   * @param got     the address handed out, or null
   * @param reasons when nothing was: one per pool tried, in order ("threshold" when the pool is at its record
   *                limit, else it is used out)
   */
  record EntryAnswer(Allocation got, List<String> reasons) {
  }
}
