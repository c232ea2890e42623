package io.ippool.store.watch;

/** Receives events in resourceVersion order, each exactly once, on the hub's context. */
public interface EventSubscriber {
  /** @return false to unsubscribe (e.g. the client went away or cannot keep up) */
  boolean onEvent(StoredEvent event);

  /** The requested start is older than the retained history. */
  void onExpired(long requested, long oldestRetained);
}
