package io.ippool.store.watch;

import io.ippool.api.Json;
import io.ippool.store.EventLog;
import io.ippool.store.IncrementalProjection;
import io.ippool.api.Json;
import io.ippool.store.StatusProjection;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
 * <p>Events marked {@code projected} (SpiderIPPool allocation batches, whose allocatedIPs is left out of the
 * log) are completed here, only while some subscriber needs them. The hub keeps each such pool's map in
 * memory ({@link IncrementalProjection}): loaded once, then moved forward by the history rows of each log
 * read, so an event costs the rows its batch changed, not the pool. Rendering the map is the O(pool) part;
 * subscribers that accept coalescing ({@link EventSubscriber#coalescesModified}) get a pool's latest state at
 * most once per coalescing interval, at the same moment for all of them, so one rendering serves every
 * watcher. The ring keeps only the newest completion per pool; older ones are rebuilt from the database
 * when a resuming subscriber needs them.
 */
public final class EventHub {
  private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);
  private static final int BATCH = 1000;
  private static final int RING_SIZE = 20_000;
  private static final long SAFETY_POLL_MS = 2_000;
  /** How often at most a coalescing subscriber gets a pool's full state while it keeps changing. */
  public static final long DEFAULT_COALESCE_MS = 500;

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
  private final long coalesceMs;
  private final Deque ring = new Deque();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  /** By resource, then object name: projected state kept in memory while some subscriber needs it. */
  private final Map<String, Map<String, Tracked>> tracked = new HashMap<>();
  private Context context;
  private PgSubscriber listener;
  // volatile: read by the metrics probe (ippool_watch_event_lag_revisions) from outside the hub's context.
  private volatile long lastDispatched;
  private boolean reading;
  private boolean readAgain;
  private long timerId = -1;
  private long flushTimer = -1;
  private long lastFlush;
  private volatile long queries;
  private volatile long completions;

  /** @param projections by plural: how to complete events marked projected (see ResourceStore) */
  public EventHub(Vertx vertx, Pool pool, PgConnectOptions connectOptions,
                  Map<String, StatusProjection> projections) {
    this(vertx, pool, connectOptions, projections, DEFAULT_COALESCE_MS);
  }

  /** @param coalesceMs how often at most a coalescing subscriber is sent a changing pool's full state */
  public EventHub(Vertx vertx, Pool pool, PgConnectOptions connectOptions,
                  Map<String, StatusProjection> projections, long coalesceMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.projections = Map.copyOf(projections);
    this.coalesceMs = Math.max(1, coalesceMs);
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
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
    }
    return listener == null ? Future.succeededFuture() : listener.close();
  }

  /** The newest revision every subscriber has been offered. */
  public long lastDispatched() {
    return lastDispatched;
  }

  /** Database reads so far (benchmarks show they do not grow with the number of watchers). */
  public long queries() {
    return queries;
  }

  /** Events completed with their projected fields so far (each once, however many subscribers got it). */
  public long completions() {
    return completions;
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

  // ---- catching up

  private void catchUp(Subscription s, long from) {
    if (s.cancelled) {
      return;
    }
    if (from >= lastDispatched) {
      s.live = true;
      subscriptions.add(s);
      return;
    }
    StoredEvent oldest = ring.peekFirst();
    if (oldest != null && oldest.resourceVersion() <= from + 1) {
      List<StoredEvent> range = s.coalesce(ring.after(from));
      if (range.stream().allMatch(e -> !s.needsCompleted(e) || completeFromMemory(e))) {
        subscriptions.add(s);
        s.resume(range);
        return;
      }
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
        List<StoredEvent> range = s.coalesce(read(rows2));
        return completeFromDatabase(range.stream().filter(s::needsCompleted).toList()).map(range);
      });
    }).onComplete(ar -> context.runOnContext(v -> {
      if (ar.failed()) {
        subscriptions.remove(s);
        return;
      }
      s.resume(ar.result());
    }));
  }

  /**
   * Completes {@code events} from the database (those that need it), then delivers them to s; meanwhile s is
   * paused: newer events wait in its pending list, and are offered afterwards in order.
   */
  private void completeThenDeliver(Subscription s, List<StoredEvent> events) {
    s.live = false;
    // Fresh copies: the ring's events may lose a completion meanwhile (a newer event of their pool came).
    List<StoredEvent> own = events.stream().map(e -> e.lacksFields() && s.needsCompleted(e) ? e.copy() : e).toList();
    completeFromDatabase(own.stream().filter(StoredEvent::lacksFields).toList())
        .onComplete(ar -> context.runOnContext(v -> {
          if (ar.failed()) {
            LOG.warn("completing watch events failed: {}", ar.cause().getMessage());
            s.cancelled = true;
            subscriptions.remove(s);
            s.subscriber.onExpired(s.lastDelivered, s.lastDelivered + 1);
            return;
          }
          s.resume(own);
        }));
  }

  // ---- following the log

  private void readLog() {
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    readAgain = false;
    queries++;
    long after = lastDispatched;
    pool.preparedQuery(AFTER).execute(Tuple.of(after, BATCH)).map(EventHub::read)
        .compose(events -> track(after, events).map(changes -> new Batch(events, changes)))
        .onComplete(ar -> context.runOnContext(v -> {
          reading = false;
          if (ar.failed()) {
            // Nothing dispatched: the next nudge or the safety poll reads the same events again.
            LOG.warn("event log read failed: {}", ar.cause().getMessage());
            return;
          }
          Batch batch = ar.result();
          for (StoredEvent e : batch.events()) {
            dispatch(e, batch.changes());
          }
          scheduleFlush();
          if (batch.events().size() == BATCH || readAgain) {
            readLog();
          }
        }));
  }

  /** Events read in one go, and the projected changes of their objects, by resource and name, in order. */
  private record Batch(List<StoredEvent> events, Map<String, Map<String, ArrayDeque<IncrementalProjection.Change>>> changes) {
  }

  /**
   * Prepares the in-memory state of every object of {@code events} whose projected fields some subscriber needs:
   * loads the state at {@code after} of objects not tracked yet, and reads what changed up to the batch's end.
   * Kinds nobody needs any more are forgotten.
   */
  private Future<Map<String, Map<String, ArrayDeque<IncrementalProjection.Change>>>> track(long after,
                                                                                          List<StoredEvent> events) {
    Map<String, Map<String, ArrayDeque<IncrementalProjection.Change>>> result =
        new java.util.concurrent.ConcurrentHashMap<>();
    if (events.isEmpty()) {
      return Future.succeededFuture(result);
    }
    long upTo = events.get(events.size() - 1).resourceVersion();
    List<Future<Void>> work = new ArrayList<>();
    for (Map.Entry<String, StatusProjection> p : projections.entrySet()) {
      String resource = p.getKey();
      IncrementalProjection inc = p.getValue().incremental();
      if (inc == null) {
        continue;
      }
      if (subscriptions.stream().noneMatch(s -> !s.cancelled && s.subscriber.needsProjected(resource))) {
        tracked.remove(resource);
        continue;
      }
      Set<String> names = new HashSet<>();
      for (StoredEvent e : events) {
        if (e.resource().equals(resource) && (e.projected() || isTracked(e))) {
          names.add(e.name());
        }
      }
      if (names.isEmpty()) {
        continue;
      }
      Map<String, Tracked> byName = tracked.computeIfAbsent(resource, k -> new HashMap<>());
      List<String> missing = names.stream().filter(n -> !byName.containsKey(n)).toList();
      queries++;
      Future<Void> loaded = missing.isEmpty() ? Future.succeededFuture()
          : inc.load(pool, missing, after).map(states -> {
            queries++;
            context.runOnContext(v -> states.forEach((n, st) -> byName.putIfAbsent(n, new Tracked(st))));
            return null;
          });
      Future<Void> changed = inc.changes(pool, names, after, upTo).map(list -> {
        Map<String, ArrayDeque<IncrementalProjection.Change>> byObject = new HashMap<>();
        for (IncrementalProjection.Change c : list) {
          byObject.computeIfAbsent(c.name(), k -> new ArrayDeque<>()).add(c);
        }
        result.put(resource, byObject);
        return null;
      });
      work.add(Future.all(loaded, changed).mapEmpty());
    }
    if (work.isEmpty()) {
      return Future.succeededFuture(result);
    }
    // Posted to the context so that the states loaded above are in place before dispatch reads them.
    return Future.all(work).compose(v -> {
      io.vertx.core.Promise<Map<String, Map<String, ArrayDeque<IncrementalProjection.Change>>>> p =
          io.vertx.core.Promise.promise();
      context.runOnContext(x -> p.complete(result));
      return p.future();
    });
  }

  private boolean isTracked(StoredEvent e) {
    Map<String, Tracked> byName = tracked.get(e.resource());
    return byName != null && byName.containsKey(e.name());
  }

  private void dispatch(StoredEvent e, Map<String, Map<String, ArrayDeque<IncrementalProjection.Change>>> changes) {
    lastDispatched = e.resourceVersion();
    advance(e, changes);
    ring.addLast(e);
    if (ring.size() > RING_SIZE) {
      ring.removeFirst();
    }
    List<Subscription> gone = new ArrayList<>();
    for (Subscription s : subscriptions) {
      if (s.cancelled || !s.offer(e)) {
        gone.add(s);
      }
    }
    subscriptions.removeAll(gone);
  }

  /** Moves the object's in-memory state to this event's revision. */
  private void advance(StoredEvent e, Map<String, Map<String, ArrayDeque<IncrementalProjection.Change>>> changes) {
    Map<String, Tracked> byName = tracked.get(e.resource());
    Tracked t = byName == null ? null : byName.get(e.name());
    if (t == null) {
      return;
    }
    if (e.type().equals("DELETED")) {
      byName.remove(e.name());
      return;
    }
    ArrayDeque<IncrementalProjection.Change> mine = changes.getOrDefault(e.resource(), Map.of()).get(e.name());
    while (mine != null && !mine.isEmpty() && mine.peekFirst().revision() <= e.resourceVersion()) {
      t.state.apply(mine.pollFirst());
    }
    t.revision = e.resourceVersion();
  }

  /** Completes e from the in-memory state if that state is at e's revision; false if it cannot. */
  private boolean completeFromMemory(StoredEvent e) {
    if (!e.lacksFields()) {
      return true;
    }
    Map<String, Tracked> byName = tracked.get(e.resource());
    Tracked t = byName == null ? null : byName.get(e.name());
    if (t == null || t.revision != e.resourceVersion()) {
      return false;
    }
    e.complete(t.state.complete(e.body()));
    completions++;
    if (t.lastCompleted != null && t.lastCompleted != e) {
      t.lastCompleted.forgetCompletion();
    }
    t.lastCompleted = e;
    return true;
  }

  /** Completes events as they were at each one's revision, from the database: one query per kind. */
  private Future<Void> completeFromDatabase(List<StoredEvent> events) {
    Map<String, List<StoredEvent>> byResource = new HashMap<>();
    for (StoredEvent e : events) {
      if (projections.containsKey(e.resource())) {
        byResource.computeIfAbsent(e.resource(), k -> new ArrayList<>()).add(e);
      }
    }
    List<Future<Void>> work = new ArrayList<>();
    byResource.forEach((resource, list) -> {
      queries++;
      List<ObjectNode> copies = list.stream().map(e -> e.body().deepCopy()).toList();
      work.add(projections.get(resource).projectAt(pool, copies, list.stream().map(StoredEvent::resourceVersion)
          .toList()).map(v -> {
            for (int i = 0; i < list.size(); i++) {
              list.get(i).complete(copies.get(i));
            }
            completions += list.size();
            return null;
          }));
    });
    return work.isEmpty() ? Future.succeededFuture() : Future.all(work).mapEmpty();
  }

  // ---- coalescing

  /** Flushes held events now if the interval since the last flush has passed, else arms a timer for then. */
  private void scheduleFlush() {
    if (flushTimer >= 0 || subscriptions.stream().noneMatch(s -> !s.held.isEmpty())) {
      return;
    }
    long wait = lastFlush + coalesceMs - System.currentTimeMillis();
    if (wait <= 0) {
      flushAll();
    } else {
      flushTimer = vertx.setTimer(wait, id -> context.runOnContext(v -> {
        flushTimer = -1;
        flushAll();
      }));
    }
  }

  /** Every ready subscriber gets its held events at once: the same events, so each is rendered once. */
  private void flushAll() {
    lastFlush = System.currentTimeMillis();
    boolean left = false;
    List<Subscription> gone = new ArrayList<>();
    for (Subscription s : subscriptions) {
      if (s.cancelled || s.held.isEmpty()) {
        continue;
      }
      if (s.subscriber.ready()) {
        if (!s.flush()) {
          gone.add(s);
        }
      } else {
        left = true;
      }
    }
    subscriptions.removeAll(gone);
    if (left && flushTimer < 0) {
      flushTimer = vertx.setTimer(coalesceMs, id -> context.runOnContext(v -> {
        flushTimer = -1;
        flushAll();
      }));
    }
  }

  // ---- reading rows

  private static List<StoredEvent> read(RowSet<Row> rows) {
    List<StoredEvent> events = new ArrayList<>(rows.size());
    for (Row r : rows) {
      events.add(toEvent(r));
    }
    return events;
  }

  private static StoredEvent toEvent(Row r) {
    Object body = r.getValue("body");
    return new StoredEvent(r.getLong("resource_version"), r.getString("resource"), r.getString("namespace"),
        r.getString("name"), r.getString("event_type"),
        Json.readObject(body instanceof JsonObject j ? j.encode() : String.valueOf(body)),
        Boolean.TRUE.equals(r.getBoolean("projected")));
  }

  /** One object's projected state in memory, at {@code revision} (its newest event dispatched; -1: none yet). */
  private static final class Tracked {
    final IncrementalProjection.State state;
    long revision = -1;
    StoredEvent lastCompleted;

    Tracked(IncrementalProjection.State state) {
      this.state = state;
    }
  }

  /** The ring of recent events. */
  private static final class Deque extends ArrayDeque<StoredEvent> {
    List<StoredEvent> after(long from) {
      List<StoredEvent> out = new ArrayList<>();
      for (StoredEvent e : this) {
        if (e.resourceVersion() > from) {
          out.add(e);
        }
      }
      return out;
    }
  }

  /** A subscriber's place in the stream. */
  public final class Subscription {
    private final EventSubscriber subscriber;
    private final List<StoredEvent> pending = new ArrayList<>();
    /** Coalesced events not sent yet, newest last; at most one per object, each its object's newest. */
    private final LinkedHashMap<String, StoredEvent> held = new LinkedHashMap<>();
    private volatile boolean cancelled;
    private boolean live;
    private long lastDelivered;

    /** Events at or below {@code from} are never delivered, even if this hub reads them later. */
    Subscription(EventSubscriber subscriber, long from) {
      this.subscriber = subscriber;
      this.lastDelivered = from;
    }

    /**
     * The newest revision this subscriber may be told it has seen (a bookmark): below every event still held
     * for it, so a watch resumed from there gets the held states again.
     */
    public long safeRevision(long processed) {
      for (StoredEvent e : held.values()) {
        return Math.min(processed, e.resourceVersion() - 1);
      }
      return processed;
    }

    private boolean needsCompleted(StoredEvent e) {
      return e.projected() && subscriber.needsProjected(e.resource());
    }

    private boolean coalescable(StoredEvent e) {
      return subscriber.coalescesModified() && needsCompleted(e) && e.type().equals("MODIFIED");
    }

    /** Drops the coalescable events of {@code events} that a later event of the same object supersedes. */
    private List<StoredEvent> coalesce(List<StoredEvent> events) {
      if (!subscriber.coalescesModified()) {
        return events;
      }
      Map<String, StoredEvent> latest = new HashMap<>();
      for (StoredEvent e : events) {
        latest.put(e.resource() + "/" + e.key(), e);
      }
      List<StoredEvent> out = new ArrayList<>();
      for (StoredEvent e : events) {
        if (!coalescable(e) || latest.get(e.resource() + "/" + e.key()) == e) {
          out.add(e);
        }
      }
      return out;
    }

    /** A live event: held if it may be coalesced or something is held, else delivered after what is held. */
    private boolean offer(StoredEvent e) {
      if (cancelled || e.resourceVersion() <= lastDelivered) {
        return !cancelled;
      }
      if (!live) {
        pending.add(e);
        return true;
      }
      if (coalescable(e)) {
        String key = e.resource() + "/" + e.key();
        held.remove(key);
        held.put(key, e);
        return true;
      }
      if (!held.isEmpty() && !subscriber.needsProjected(e.resource())) {
        // An event of another kind (a SpiderEndpoint written with the allocation) must not overtake what is held:
        // delivered first, it would make the held, older events look already seen, and they would be dropped.
        // It waits with them, under a key no other event has.
        held.put("@" + e.resourceVersion(), e);
        return true;
      }
      if (!held.isEmpty()) {
        if (!flush()) {
          return false;
        }
        if (!live) {
          pending.add(e);
          return true;
        }
      }
      if (needsCompleted(e) && !completeFromMemory(e)) {
        completeThenDeliver(this, List.of(e));
        return true;
      }
      return deliver(e);
    }

    /**
     * Sends every held event, oldest first. Each is its object's newest, so the in-memory state normally
     * completes it; one that state cannot complete (the subscriber came while its pool was not tracked yet) is
     * completed from the database while this subscriber is paused.
     */
    private boolean flush() {
      List<StoredEvent> out = new ArrayList<>(held.values());
      held.clear();
      boolean inMemory = true;
      for (StoredEvent e : out) {
        inMemory &= completeFromMemory(e);
      }
      if (!inMemory) {
        completeThenDeliver(this, out);
        return true;
      }
      for (StoredEvent e : out) {
        if (!deliver(e)) {
          return false;
        }
      }
      return true;
    }

    /** Delivers {@code events} (complete where needed), then goes live and offers what waited meanwhile. */
    private void resume(List<StoredEvent> events) {
      for (StoredEvent e : events) {
        if (!deliver(e)) {
          subscriptions.remove(this);
          return;
        }
      }
      live = true;
      while (live && !pending.isEmpty()) {
        StoredEvent e = pending.remove(0);
        if (!offer(e)) {
          subscriptions.remove(this);
          return;
        }
      }
      scheduleFlush();
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
