package io.ippool.metrics;

/**
 * What the allocator reports about each allocation and release. Kept to plain arguments so the allocator
 * depends on this interface only, never on Micrometer; {@link #NONE} for tests and tools that do not scrape.
 *
 * <p>Pool names are label values: pass the SpiderIPPool name, or {@code ""} when a request failed before any
 * pool was chosen. Reasons must come from a small fixed set (e.g. {@code exhausted}, {@code no_pool},
 * {@code conflict}, {@code database}), never from an error message, so the number of series stays bounded.
 */
public interface AllocationMetrics {
  /** One allocation request that ended, successful or not, and how long it took end to end. */
  void onAllocate(String pool, boolean ok, double seconds);

  /** One release (CNI DEL) that ended. */
  void onRelease(String pool, boolean ok);

  /** Why an allocation failed; called in addition to {@code onAllocate(pool, false, ...)}. */
  void onFailure(String pool, String reason);

  /** Addresses the garbage collector reclaimed, by reason (a small fixed set: GcReason labels). */
  default void onReclaimed(String reason, int addresses) {
  }

  AllocationMetrics NONE = new AllocationMetrics() {
    @Override
    public void onAllocate(String pool, boolean ok, double seconds) {
    }

    @Override
    public void onRelease(String pool, boolean ok) {
    }

    @Override
    public void onFailure(String pool, String reason) {
    }
  };
}
