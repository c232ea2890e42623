package io.ippool.store.stats;

import io.vertx.core.Future;
import java.util.List;

/**
 * Address counts of one SpiderIPPool, as {@code ippool_pool_addresses{pool,state}} shows them. Doubles because an
 * IPv6 pool may hold more addresses than a long counts; Prometheus values are doubles anyway.
 *
 * @param total addresses in spec.ips minus spec.excludeIPs (status.totalIPCount)
 * @param allocated addresses held by pods (status.allocatedIPCount)
 * @param reserved addresses of the pool's ranges held back by SpiderReservedIPs
 * @param reservedHeld of those reserved addresses, how many a pod holds all the same (it got the address before
 *     the reservation was made; the address goes back to the reservation when that pod releases it)
 */
public record PoolStats(String pool, double total, double allocated, double reserved, double reservedHeld) {

  /** Reserved addresses no pod holds: the {@code reserved} state, disjoint from {@code allocated}. */
  public double reservedFree() {
    return Math.max(0, reserved - reservedHeld);
  }

  /**
   * Addresses neither held nor reserved. With {@code allocated} and {@link #reservedFree()} it partitions
   * {@code total}; never negative, even while a pod still holds an address its shrunk pool no longer lists.
   */
  public double free() {
    return Math.max(0, total - allocated - reservedFree());
  }

  /** Where pool counts come from: one call reads every pool. */
  @FunctionalInterface
  public interface Source {
    Future<List<PoolStats>> read();

    Source NONE = () -> Future.succeededFuture(List.of());
  }
}
