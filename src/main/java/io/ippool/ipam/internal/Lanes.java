package io.ippool.ipam.internal;

import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Coalesces work per key: while a batch for a key is running, new items for that key wait, and then all
 * run together as the next batch. With one transaction per batch, N waiting requests on a pool cost one
 * lock, one resourceVersion bump and one commit instead of N. Different keys run concurrently.
 *
 * @param <T> a work item; the batch function completes each item's own promise
 */
public final class Lanes<T> {
  private final Map<String, Lane> lanes = new HashMap<>();
  private final Function<List<T>, Future<?>> runner;
  private final int maxBatch;

  private final class Lane {
    final String key;
    final ArrayDeque<T> queue = new ArrayDeque<>();

    Lane(String key) {
      this.key = key;
    }
  }

  public Lanes(int maxBatch, Function<List<T>, Future<?>> runner) {
    this.maxBatch = maxBatch;
    this.runner = runner;
  }

  public void submit(String key, T item) {
    Lane lane;
    boolean start;
    synchronized (this) {
      lane = lanes.get(key);
      start = lane == null;
      if (start) {
        lane = new Lane(key);
        lanes.put(key, lane);
      }
      lane.queue.add(item);
    }
    if (start) {
      drain(lane);
    }
  }

  private void drain(Lane lane) {
    List<T> batch = new ArrayList<>();
    synchronized (this) {
      while (batch.size() < maxBatch && !lane.queue.isEmpty()) {
        batch.add(lane.queue.poll());
      }
      if (batch.isEmpty()) {
        lanes.remove(lane.key);
        return;
      }
    }
    Future<?> f;
    try {
      f = runner.apply(batch);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> drain(lane));
  }
}
