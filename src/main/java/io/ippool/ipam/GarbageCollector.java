package io.ippool.ipam;

import io.ippool.metrics.AllocationMetrics;
import io.ippool.spiderpool.GarbageRules;
import io.ippool.spiderpool.GcReason;
import io.ippool.spiderpool.PodState;
import io.ippool.ipam.GcRepository.Doomed;
import io.ippool.ipam.GcRepository.HeldBy;
import io.ippool.ipam.GcRepository.Reclaimed;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Function;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spiderpool's IP garbage collection: reclaims addresses whose pod is gone, was re-created with another UID, has
 * been terminating past its grace period, has finished for good, or sits on a deleted node (see
 * {@link GarbageRules}). It acts on informer events (the pods named, gathered for {@link GcConfig#eventDelay()})
 * and by a periodic full sweep, one statement per batch of pools, under a PostgreSQL advisory lock so one replica
 * sweeps at a time. Each reclaimed address is logged at info with its pod and reason and counted by reason.
 */
public final class GarbageCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  static final int HOLDERS_PER_STATEMENT = 500;

  private final Vertx vertx;
  private final GcRepository store;
  private final ClusterWatch cluster;
  private final GcConfig cfg;
  private final GarbageRules rules;
  private final AllocationMetrics metrics;
  private final Clock clock;
  private final Set<String> pendingPods = new LinkedHashSet<>();
  private boolean flushScheduled;
  private boolean sweepScheduled;
  private long periodicTimer = -1;
  private final List<Long> deadlineTimers = new ArrayList<>();
  private volatile boolean closed;

  public GarbageCollector(Vertx vertx, GcRepository store, ClusterWatch cluster, GcConfig cfg, AllocationMetrics metrics,
                          Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.cluster = cluster;
    this.cfg = cfg;
    this.rules = new GarbageRules(cfg.additionalGraceDelay(), cfg.statefulSet());
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Watches pod, node and StatefulSet changes and starts the periodic sweep. */
  public GarbageCollector start() {
    cluster.watchChanges(pod -> vertx.runOnContext(v -> podChanged(pod)),
        node -> vertx.runOnContext(v -> scheduleSweep()),
        sts -> vertx.runOnContext(v -> scheduleSweep()));
    periodicTimer = vertx.setPeriodic(cfg.interval().toMillis(), id -> sweep()
        .onFailure(e -> LOG.warn("garbage collection sweep failed: {}", e.getMessage())));
    LOG.info("IP garbage collection started interval={} additionalGraceDelay={} statefulSet={}", cfg.interval(),
        cfg.additionalGraceDelay(), cfg.statefulSet());
    return this;
  }

  private void podChanged(String key) {
    if (closed) {
      return;
    }
    PodState pod = cluster.podNow(key.substring(0, key.indexOf('/')), key.substring(key.indexOf('/') + 1));
    if (pod != null && pod.deletionTimestamp() != null) {
      // Terminating: look again when its grace period (and the additional delay) is over.
      long wait = Math.max(1, rules.terminationDeadline(pod).toEpochMilli() - clock.millis() + 1);
      long[] timer = new long[1];
      timer[0] = vertx.setTimer(wait, id -> {
        deadlineTimers.remove(timer[0]);
        enqueue(key);
      });
      deadlineTimers.add(timer[0]);
    }
    enqueue(key);
  }

  private void enqueue(String key) {
    pendingPods.add(key);
    if (!flushScheduled) {
      flushScheduled = true;
      vertx.setTimer(Math.max(1, cfg.eventDelay().toMillis()), id -> {
        flushScheduled = false;
        List<String> keys = new ArrayList<>(pendingPods);
        pendingPods.clear();
        collectPods(keys).onFailure(e -> {
          LOG.warn("garbage collection of {} pods failed, left to the next sweep: {}", keys.size(), e.getMessage());
        });
      });
    }
  }

  private void scheduleSweep() {
    if (sweepScheduled || closed) {
      return;
    }
    sweepScheduled = true;
    vertx.setTimer(Math.max(1, cfg.eventDelay().toMillis()), id -> {
      sweepScheduled = false;
      sweep().onFailure(e -> LOG.warn("garbage collection sweep failed: {}", e.getMessage()));
    });
  }

  /** Collects among the named pods ("namespace/name"): one read and at most one reclaiming statement. */
  public Future<List<Reclaimed>> collectPods(List<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return store.podHolders(keys).compose(held -> reclaim(store::reclaim, held));
  }

  /**
   * A full sweep, pools in batches, if no other replica is sweeping (then it completes with an empty list).
   * Completes with what was reclaimed.
   */
  public Future<List<Reclaimed>> sweep() {
    List<Reclaimed> all = new ArrayList<>();
    long started = System.nanoTime();
    return store.exclusively(session -> session.pools().compose(pools -> {
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < pools.size(); i += cfg.poolsPerBatch()) {
        List<String> batch = pools.subList(i, Math.min(pools.size(), i + cfg.poolsPerBatch()));
        chain = chain.compose(v -> session.holders(batch).compose(held -> reclaim(session::reclaim, held))
            .map(r -> {
              all.addAll(r);
              return null;
            }));
      }
      return chain;
    })).map(swept -> {
      if (swept) {
        LOG.info("garbage collection sweep done reclaimed={} ms={}", all.size(), (System.nanoTime() - started) / 1_000_000);
      } else {
        LOG.debug("garbage collection sweep skipped: another replica is sweeping");
      }
      return all;
    });
  }

  private Future<List<Reclaimed>> reclaim(Function<List<Doomed>, Future<List<Reclaimed>>> statement,
                                         List<HeldBy> held) {
    Instant now = clock.instant();
    Instant youngest = now.minus(cfg.youngestCollectable());
    List<Doomed> doomed = new ArrayList<>();
    for (HeldBy h : held) {
      if (h.newest() != null && h.newest().toInstant().isAfter(youngest)) {
        continue;
      }
      Optional<GcReason> why = rules.verdict(h.holder(), cluster, now);
      why.ifPresent(r -> doomed.add(new Doomed(h.holder(), r.label())));
    }
    // Each statement holds its pools' locks and the revision lock until it commits: bounded chunks keep the
    // ADDs queued behind a large sweep waiting for one chunk, not for the whole batch.
    List<Reclaimed> all = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < doomed.size(); i += HOLDERS_PER_STATEMENT) {
      List<Doomed> chunk = doomed.subList(i, Math.min(doomed.size(), i + HOLDERS_PER_STATEMENT));
      chain = chain.compose(v -> statement.apply(chunk).map(r -> {
        report(r);
        all.addAll(r);
        return null;
      }));
    }
    return chain.map(all);
  }

  private void report(List<Reclaimed> reclaimed) {
    Map<String, Integer> byReason = new TreeMap<>();
    for (Reclaimed r : reclaimed) {
      LOG.atInfo().addKeyValue("pool", r.pool()).addKeyValue("address", r.address())
          .addKeyValue("pod", r.namespace() + "/" + r.pod()).addKeyValue("podUID", r.uid())
          .addKeyValue("container", r.container()).addKeyValue("interface", r.ifName())
          .addKeyValue("reason", r.reason()).log("reclaimed");
      byReason.merge(r.reason(), 1, Integer::sum);
    }
    byReason.forEach(metrics::onReclaimed);
  }

  /** For holders in tests and tools: the rules this collector applies. */
  public GarbageRules rules() {
    return rules;
  }


  @Override
  public void close() {
    closed = true;
    if (periodicTimer >= 0) {
      vertx.cancelTimer(periodicTimer);
    }
    deadlineTimers.forEach(vertx::cancelTimer);
  }
}
