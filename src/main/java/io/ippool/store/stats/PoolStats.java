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
 */
public record PoolStats(String pool, double total, double allocated, double reserved) {

  /** Where pool counts come from: one call reads every pool. */
  @FunctionalInterface
  public interface Source {
    Future<List<PoolStats>> read();

    Source NONE = () -> Future.succeededFuture(List.of());
  }
}
