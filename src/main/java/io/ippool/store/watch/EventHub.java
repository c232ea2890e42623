package io.ippool.store.watch;

import io.ippool.api.Json;
import io.ippool.store.EventLog;
import io.ippool.store.StatusProjection;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per server process: follows the event log and fans events out to every watcher of this process.
 * A payload-free NOTIFY from any replica's commit (or the safety timer) triggers ONE read of the log after
 * the last revision dispatched, whatever the number of watchers. Recent events are kept in a ring so that
 * new or resuming watchers rarely need the database.
 *
 * <p>Events marked {@code projected} (SpiderIPPool allocation batches, whose allocatedIPs is left out of
 * the log) are completed here, as they were at their own revision, in one extra query per batch read: once
 * per event per process, shared by every watcher, and only while some watcher needs them (rebuilding a
 * large pool's map is the costly part of a watch). Ring events left incomplete are read again from the
 * log by a later subscriber that needs them.
 */
public final class EventHub {
  private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);
  private static final int BATCH = 1000;
  private static final int RING_SIZE = 20_000;
  private static final long SAFETY_POLL_MS = 2_000;

  private static final String AFTER = """
      SELECT resource_version, resource, namespace, name, event_type, body, projected
      FROM resource_events WHERE resource_version > $1 ORDER BY resource_version LIMIT $2""";
  private static final String RANGE = """
      SELECT resource_version, resource, namespace, name, event_type, body, projected
      FROM resource_events WHERE resource_version > $1 AND resource_version <= $2 ORDER BY resource_version""";
  private static final String COMPACTED_BEFORE = "SELECT compacted_before FROM compaction_state";
  private static final String CURRENT = "SELECT value FROM revision_counter";

  private final Vertx vertx;
  private final Pool pool;
  private final PgConnectOptions connectOptions;
  private final Map<String, StatusProjection> projections;
  private final Deque<StoredEvent> ring = new ArrayDeque<>();
  /** Events in the ring whose projected fields were not filled in: no subscription needed them then. */
  private final Set<StoredEvent> unprojected = Collections.newSetFromMap(new IdentityHashMap<>());
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private Context context;
  private PgSubscriber listener;
  // volatile: read by the metrics probe (ippool_watch_event_lag_revisions) from outside the hub's context.
  private volatile long lastDispatched;
  private boolean reading;
  private boolean readAgain;
  private long timerId = -1;
  private volatile long queries;

  /** @param projections by plural: how to complete events marked projected (see ResourceStore) */
  public EventHub(Vertx vertx, Pool pool, PgConnectOptions connectOptions,
                  Map<String, StatusProjection> projections) {
    this.vertx = vertx;
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.projections = Map.copyOf(projections);
  }

  /** Starts following the log from the current revision. */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    return pool.query(CURRENT).execute().compose(rows -> {
      lastDispatched = rows.iterator().next().getLong(0);
      listener = PgSubscriber.subscriber(vertx, connectOptions)
          .reconnectPolicy(retries -> 500L);
      listener.channel(EventLog.CHANNEL).handler(payload -> nudge());
      listener.channel(EventLog.CHANNEL).subscribeHandler(v -> nudge());
      return listener.connect();
    }).onSuccess(v -> timerId = vertx.setPeriodic(SAFETY_POLL_MS, id -> nudge())).mapEmpty();
  }

  public Future<Void> stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    return listener == null ? Future.succeededFuture() : listener.close();
  }

  /** The newest revision every subscriber has been offered. */
  public long lastDispatched() {
    return lastDispatched;
  }

  /** Log reads so far (benchmarks show they do not grow with the number of watchers). */
  public long queries() {
    return queries;
  }

  public int subscriberCount() {
    return subscriptions.size();
  }

  /** Runs {@code task} on the hub's context, in order with event delivery. */
  public void runOnHub(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  /** Reads the log soon. Safe to call from any thread, as often as wanted. */
  public void nudge() {
    context.runOnContext(v -> readLog());
  }

  /**
   * Delivers every event after {@code fromRevision}, then live events, until the subscriber declines.
   * Returns a handle whose {@code cancel} stops delivery.
   */
  public Subscription subscribe(long fromRevision, EventSubscriber subscriber) {
    Subscription s = new Subscription(subscriber, fromRevision);
    context.runOnContext(v -> catchUp(s, fromRevision));
    return s;
  }

  private void catchUp(Subscription s, long from) {
    if (from >= lastDispatched) {
      s.live = true;
      subscriptions.add(s);
      return;
    }
    StoredEvent oldest = ring.peekFirst();
    if (oldest != null && oldest.resourceVersion() <= from + 1 && !ringLacksFieldsFor(s, from)) {
      for (StoredEvent e : ring) {
        if (e.resourceVersion() > from && !s.deliver(e)) {
          return;
        }
      }
      s.live = true;
      subscriptions.add(s);
      return;
    }
    // Older than the ring (or the ring lacks fields it needs): read the gap from the database while live
    // events queue up for this subscriber.
    subscriptions.add(s);
    long until = lastDispatched;
    queries++;
    pool.query(COMPACTED_BEFORE).execute().compose(rows -> {
      long compacted = rows.iterator().next().getLong(0);
      if (from < compacted) {
        s.subscriber.onExpired(from, compacted);
        return Future.failedFuture(new IllegalStateException("expired"));
      }
      return pool.preparedQuery(RANGE).execute(Tuple.of(from, until)).compose(rows2 -> {
        Read read = read(rows2);
        List<StoredEvent> needed = read.projected().stream()
            .filter(e -> s.subscriber.needsProjected(e.resource())).toList();
        return project(needed).map(read.events());
      });
    }).onComplete(ar -> context.runOnContext(v -> {
      if (ar.failed()) {
        subscriptions.remove(s);
        return;
      }
      for (StoredEvent e : ar.result()) {
        if (!s.deliver(e)) {
          subscriptions.remove(s);
          return;
        }
      }
      for (StoredEvent e : s.pending) {
        if (e.resourceVersion() > until && !s.deliver(e)) {
          subscriptions.remove(s);
          return;
        }
      }
      s.pending.clear();
      s.live = true;
    }));
  }

  /** Whether the ring holds an event after {@code from} whose projected fields were skipped but s needs. */
  private boolean ringLacksFieldsFor(Subscription s, long from) {
    for (StoredEvent e : unprojected) {
      if (e.resourceVersion() > from && s.subscriber.needsProjected(e.resource())) {
        return true;
      }
    }
    return false;
  }

  private void readLog() {
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    readAgain = false;
    queries++;
    pool.preparedQuery(AFTER).execute(Tuple.of(lastDispatched, BATCH)).map(EventHub::read)
        .onComplete(ar -> context.runOnContext(v -> {
          if (ar.failed()) {
            reading = false;
            LOG.warn("event log read failed: {}", ar.cause().getMessage());
            return;
          }
          Read read = ar.result();
          completeNeeded(read.projected()).onComplete(done -> {
            reading = false;
            if (done.failed()) {
              // Nothing dispatched: the next nudge or the safety poll reads the same events again.
              LOG.warn("event log read failed: {}", done.cause().getMessage());
              return;
            }
            read.events().forEach(this::dispatch);
            if (read.events().size() == BATCH || readAgain) {
              readLog();
            }
          });
        }));
  }

  /** A batch read from the log, and those of its events that still lack their projected fields. */
  private record Read(List<StoredEvent> events, List<StoredEvent> projected) {
  }

  private static Read read(RowSet<Row> rows) {
    List<StoredEvent> events = new ArrayList<>(rows.size());
    List<StoredEvent> projected = new ArrayList<>();
    for (Row r : rows) {
      StoredEvent e = toEvent(r);
      events.add(e);
      if (Boolean.TRUE.equals(r.getBoolean("projected"))) {
        projected.add(e);
      }
    }
    return new Read(events, projected);
  }

  /**
   * Fills in the projected fields of those {@code missing} events that a current subscription needs (once
   * per event, shared by every subscription); the others join {@link #unprojected}. Checks again after each
   * round trip, since subscriptions may arrive meanwhile, so when the future completes (on the context) no
   * subscription needs a field that is still missing.
   */
  private Future<Void> completeNeeded(List<StoredEvent> missing) {
    List<StoredEvent> needed = new ArrayList<>();
    List<StoredEvent> rest = new ArrayList<>();
    for (StoredEvent e : missing) {
      boolean wanted = subscriptions.stream().anyMatch(s -> !s.cancelled && s.subscriber.needsProjected(e.resource()));
      (wanted && projections.containsKey(e.resource()) ? needed : rest).add(e);
    }
    if (needed.isEmpty()) {
      unprojected.addAll(rest);
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    project(needed).onComplete(ar -> context.runOnContext(v -> {
      if (ar.failed()) {
        done.fail(ar.cause());
      } else {
        completeNeeded(rest).onComplete(done);
      }
    }));
    return done.future();
  }

  /** Sets the projected fields of the events as they were at each one's revision: one query per kind. */
  private Future<Void> project(List<StoredEvent> events) {
    Map<String, List<StoredEvent>> byResource = new HashMap<>();
    for (StoredEvent e : events) {
      if (projections.containsKey(e.resource())) {
        byResource.computeIfAbsent(e.resource(), k -> new ArrayList<>()).add(e);
      }
    }
    List<Future<Void>> work = new ArrayList<>();
    byResource.forEach((resource, list) -> {
      queries++;
      work.add(projections.get(resource).projectAt(pool, list.stream().map(StoredEvent::object).toList(),
          list.stream().map(StoredEvent::resourceVersion).toList()));
    });
    return work.isEmpty() ? Future.succeededFuture() : Future.all(work).mapEmpty();
  }

  private void dispatch(StoredEvent e) {
    lastDispatched = e.resourceVersion();
    ring.addLast(e);
    if (ring.size() > RING_SIZE) {
      unprojected.remove(ring.removeFirst());
    }
    List<Subscription> gone = new ArrayList<>();
    for (Subscription s : subscriptions) {
      if (s.cancelled) {
        gone.add(s);
      } else if (!s.live) {
        s.pending.add(e);
      } else if (!s.deliver(e)) {
        gone.add(s);
      }
    }
    subscriptions.removeAll(gone);
  }

  private static StoredEvent toEvent(Row r) {
    Object body = r.getValue("body");
    return new StoredEvent(r.getLong("resource_version"), r.getString("resource"), r.getString("namespace"),
        r.getString("name"), r.getString("event_type"),
        Json.readObject(body instanceof JsonObject j ? j.encode() : String.valueOf(body)));
  }

  /** A subscriber's place in the stream. */
  public final class Subscription {
    private final EventSubscriber subscriber;
    private final List<StoredEvent> pending = new ArrayList<>();
    private volatile boolean cancelled;
    private boolean live;
    private long lastDelivered;

    /** Events at or below {@code from} are never delivered, even if this hub reads them later. */
    Subscription(EventSubscriber subscriber, long from) {
      this.subscriber = subscriber;
      this.lastDelivered = from;
    }

    private boolean deliver(StoredEvent e) {
      if (cancelled || e.resourceVersion() <= lastDelivered) {
        return !cancelled;
      }
      lastDelivered = e.resourceVersion();
      boolean keep = subscriber.onEvent(e);
      if (!keep) {
        cancelled = true;
      }
      return keep;
    }

    public void cancel() {
      cancelled = true;
      context.runOnContext(v -> subscriptions.remove(this));
    }
  }
}
