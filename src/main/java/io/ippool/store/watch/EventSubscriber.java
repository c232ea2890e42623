package io.ippool.store.watch;

/** Receives events in resourceVersion order, each exactly once, on the hub's context. */
public interface EventSubscriber {
  /** @return false to unsubscribe (e.g. the client went away or cannot keep up) */
  boolean onEvent(StoredEvent event);

  /** The requested start is older than the retained history. */
  void onExpired(long requested, long oldestRetained);

  /**
   * Whether this subscriber serves the projected fields of {@code resource}'s events (e.g. a SpiderIPPool's
   * allocatedIPs). The hub only rebuilds them, a costly read on large pools, while someone needs them;
   * answer false for kinds the subscriber drops or renders without those fields.
   */
  default boolean needsProjected(String resource) {
    return true;
  }
}
