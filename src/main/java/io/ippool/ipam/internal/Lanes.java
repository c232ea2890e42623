package io.ippool.ipam.internal;

import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Coalesces work per key: while {@code maxInFlight} batches for a key are running, new items for that key
 * wait, and then all run together as the next batch. With one transaction per batch, N waiting requests
 * cost one lock round, one resourceVersion bump per pool and one commit instead of N. Different keys run
 * concurrently.
 *
 * @param <T> a work item; the batch function completes each item's own promise
 */
public final class Lanes<T> {
  private final Map<String, Lane> lanes = new HashMap<>();
  private final Function<List<T>, Future<?>> runner;
  private final int maxBatch;
  private final int maxInFlight;

  private final class Lane {
    final String key;
    final ArrayDeque<T> queue = new ArrayDeque<>();
    int inFlight;

    Lane(String key) {
      this.key = key;
    }
  }

  public Lanes(int maxBatch, int maxInFlight, Function<List<T>, Future<?>> runner) {
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.runner = runner;
  }

  public void submit(String key, T item) {
    Lane lane;
    synchronized (this) {
      lane = lanes.computeIfAbsent(key, Lane::new);
      lane.queue.add(item);
    }
    pump(lane);
  }

  private void pump(Lane lane) {
    List<T> batch = new ArrayList<>();
    synchronized (this) {
      if (lane.inFlight >= maxInFlight) {
        return;
      }
      while (batch.size() < maxBatch && !lane.queue.isEmpty()) {
        batch.add(lane.queue.poll());
      }
      if (batch.isEmpty()) {
        if (lane.inFlight == 0) {
          lanes.remove(lane.key);
        }
        return;
      }
      lane.inFlight++;
    }
    Future<?> f;
    try {
      f = runner.apply(batch);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      synchronized (this) {
        lane.inFlight--;
      }
      pump(lane);
    });
  }
}
