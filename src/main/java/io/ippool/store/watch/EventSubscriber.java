package io.ippool.store.watch;

/** Receives events in resourceVersion order, each at most once, on the hub's context. */
public interface EventSubscriber {
  /** @return false to unsubscribe (e.g. the client went away or cannot keep up) */
  boolean onEvent(StoredEvent event);

  /** The requested start is older than the retained history (or the hub can no longer serve it exactly). */
  void onExpired(long requested, long oldestRetained);

  /**
   * Whether this subscriber serves the projected fields of {@code resource}'s events (e.g. a SpiderIPPool's
   * allocatedIPs). The hub only builds them, a costly step on large pools, while someone needs them;
   * answer false for kinds the subscriber drops or renders without those fields.
   */
  default boolean needsProjected(String resource) {
    return true;
  }

  /**
   * Whether this subscriber accepts the coalescing contract for events it {@link #needsProjected needs completed}:
   * of consecutive MODIFIED events of one object that only differ in projected fields (allocation batches), it may
   * get only the latest, at most once per coalescing interval and only while {@link #ready}, never out of
   * resourceVersion order and never later than the next event it gets of the same kind. Every other event is
   * delivered as it comes. False: every event, each completed (costly for large pools).
   */
  default boolean coalescesModified() {
    return false;
  }

  /** Whether the subscriber can take held events now (e.g. its connection has drained what it was sent). */
  default boolean ready() {
    return true;
  }
}
