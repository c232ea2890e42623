package io.ippool.auth;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A small TTL cache of asynchronous answers from kube-apiserver (TokenReview, SubjectAccessReview). Concurrent
 * asks for the same key share one call; the TTL depends on the answer (kube caches allowed and denied, or
 * authenticated and rejected, for different times); failed calls are not cached, so an apiserver hiccup
 * does not stick.
 */
final class ExpiringCache<K, V> {
  private static final long PENDING = Long.MAX_VALUE;

  private final LongSupplier nanoClock;
  private final int maxEntries;
  private final Function<V, Duration> ttl;
  private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();

  private record Entry<V>(Future<V> value, long expiresAtNanos) {
  }

  ExpiringCache(LongSupplier nanoClock, int maxEntries, Function<V, Duration> ttl) {
    this.nanoClock = nanoClock;
    this.maxEntries = maxEntries;
    this.ttl = ttl;
  }

  Future<V> get(K key, Supplier<Future<V>> loader) {
    long now = nanoClock.getAsLong();
    Entry<V> e = entries.get(key);
    if (e != null && (e.expiresAtNanos() == PENDING || now - e.expiresAtNanos() < 0)) {
      return e.value();
    }
    if (entries.size() >= maxEntries) {
      evict(now);
    }
    Future<V> f = loader.get();
    Entry<V> pending = new Entry<>(f, PENDING);
    entries.put(key, pending);
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        long ttlNanos = ttl.apply(ar.result()).toNanos();
        entries.replace(key, pending, new Entry<>(f, nanoClock.getAsLong() + ttlNanos));
      } else {
        entries.remove(key, pending);
      }
    });
    return f;
  }

  int size() {
    return entries.size();
  }

  /** Drops expired answers; if that is not enough, everything (a burst of distinct keys, nothing to keep). */
  private void evict(long now) {
    entries.entrySet().removeIf(x -> x.getValue().expiresAtNanos() != PENDING
        && now - x.getValue().expiresAtNanos() >= 0);
    if (entries.size() >= maxEntries) {
      entries.clear();
    }
  }
}
