package io.ippool.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;

/**
 * Trims the event log to the retention window. With cutoff C (the newest revision older than the window) it
 * deletes every event at or below C that is a deletion or is superseded by a later event at or below C, so
 * the state at any revision >= C can still be rebuilt, and records C: watches and lists from older
 * revisions then get 410 Expired, as after an etcd compaction. Replicas race harmlessly: a transaction-level
 * advisory lock lets one of them work at a time.
 */
public final class Compactor {
  private static final String TRY_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('ippool-compaction'))";
  private static final String CUTOFF = """
      SELECT max(resource_version) FROM resource_events WHERE recorded_at < now() - make_interval(secs => $1)""";
  private static final String DELETE_SUPERSEDED = """
      DELETE FROM resource_events e
      WHERE e.resource_version <= $1
        AND (e.event_type = 'DELETED' OR EXISTS (
              SELECT 1 FROM resource_events n
              WHERE n.resource = e.resource AND n.namespace = e.namespace AND n.name = e.name
                AND n.resource_version > e.resource_version AND n.resource_version <= $1))""";
  private static final String RECORD = """
      UPDATE compaction_state SET compacted_before = greatest(compacted_before, $1)""";

  private static final String PRUNE_ALLOCATION_HISTORY =
      "SELECT reporting.prune_allocation_events(make_interval(secs => $1))";

  private final Pool pool;
  private final Duration retention;
  private final Duration allocationHistory;

  public Compactor(Pool pool, Duration retention) {
    this(pool, retention, null);
  }

  /** @param allocationHistory how long reporting keeps allocate/release events; null keeps them forever */
  public Compactor(Pool pool, Duration retention, Duration allocationHistory) {
    this.pool = pool;
    this.retention = retention;
    this.allocationHistory = allocationHistory;
  }

  /** One compaction pass; returns the number of events removed (0 when another replica holds the lock). */
  public Future<Integer> compactOnce() {
    return pool.withTransaction(tx -> tx.query(TRY_LOCK).execute().compose(locked -> {
      if (!locked.iterator().next().getBoolean(0)) {
        return Future.succeededFuture(0);
      }
      return compactEvents(tx).compose(n -> allocationHistory == null ? Future.succeededFuture(n)
          // After the compaction point moved: allocation history below it is no longer needed by watches.
          : tx.preparedQuery(PRUNE_ALLOCATION_HISTORY).execute(Tuple.of((double) allocationHistory.toSeconds()))
              .map(n));
    }));
  }

  private Future<Integer> compactEvents(io.vertx.sqlclient.SqlConnection tx) {
    return tx.preparedQuery(CUTOFF).execute(Tuple.of((double) retention.toSeconds())).compose(rows -> {
      Long cutoff = rows.iterator().next().getLong(0);
      if (cutoff == null) {
        return Future.succeededFuture(0);
      }
      return tx.preparedQuery(DELETE_SUPERSEDED).execute(Tuple.of(cutoff)).compose(deleted ->
          tx.preparedQuery(RECORD).execute(Tuple.of(cutoff)).map(deleted.rowCount()));
    });
  }

}
