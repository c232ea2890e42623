package io.ippool.store.allocation;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.ResourceKind;
import io.ippool.store.EventLog;
import io.ippool.store.Json;
import io.ippool.store.Revisions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.TreeSet;

/**
 * The last steps of every allocation or release transaction: each pool whose allocations changed gets ONE
 * new resourceVersion and ONE watch event carrying the projected status, however many addresses the
 * batch moved.
 *
 * <p>Finalizer protocol: a Terminating pool (deletionTimestamp set) keeps finalizer
 * {@code spiderpool.spidernet.io} while it has allocations. When a batch leaves it with none, the
 * finalizer is removed in the same transaction; if no other finalizer remains, the pool row is deleted
 * (with its allocator state) and a DELETED event is appended instead of MODIFIED. The resource store
 * should call {@link #finalizeIfIdle} after it marks a pool Terminating, for pools that have no
 * allocations at that moment.
 */
public final class PoolRevision {
  private static final String BUMP = """
      UPDATE resources
         SET resource_version = $2::bigint,
             body = jsonb_set(body, '{metadata,resourceVersion}', to_jsonb($2::bigint::text))
       WHERE resource = 'spiderippools' AND namespace = '' AND name = $1
      RETURNING body::text AS body, deleting""";
  private static final String SET_BODY = """
      UPDATE resources SET body = $2::jsonb
       WHERE resource = 'spiderippools' AND namespace = '' AND name = $1""";
  private static final String DELETE_RESOURCE = """
      DELETE FROM resources WHERE resource = 'spiderippools' AND namespace = '' AND name = $1""";
  private static final String DELETE_STATE = "DELETE FROM ipam_pools WHERE pool = $1";
  private static final String HAS_ALLOCATIONS = "SELECT EXISTS (SELECT 1 FROM ipam_allocations WHERE pool = $1)";
  private static final String IS_TERMINATING = """
      SELECT deleting FROM resources WHERE resource = 'spiderippools' AND namespace = '' AND name = $1
       FOR UPDATE""";

  private static final PoolStatusProjection PROJECTION = new PoolStatusProjection();

  private PoolRevision() {
  }

  /** Bumps each pool (in name order), appends its event, then one NOTIFY. Pools that no longer exist are skipped. */
  public static Future<Void> changed(SqlConnection tx, java.util.Collection<String> pools) {
    Future<Void> chain = Future.succeededFuture();
    for (String pool : new TreeSet<>(pools)) {
      chain = chain.compose(v -> bumpOne(tx, pool));
    }
    return pools.isEmpty() ? chain : chain.compose(v -> EventLog.notifyWatchers(tx));
  }

  /**
   * For a pool the store has just marked Terminating: if it holds no allocations, drop its finalizer now
   * (deleting it if that was the last one). Returns true when it acted.
   */
  public static Future<Boolean> finalizeIfIdle(SqlConnection tx, String pool) {
    return tx.preparedQuery(IS_TERMINATING).execute(Tuple.of(pool)).compose(rows -> {
      if (rows.size() == 0 || !rows.iterator().next().getBoolean("deleting")) {
        return Future.succeededFuture(false);
      }
      return tx.preparedQuery(HAS_ALLOCATIONS).execute(Tuple.of(pool)).compose(has -> {
        if (has.iterator().next().getBoolean(0)) {
          return Future.succeededFuture(false);
        }
        return changed(tx, List.of(pool)).map(true);
      });
    });
  }

  private static Future<Void> bumpOne(SqlConnection tx, String pool) {
    return Revisions.next(tx).compose(rv -> tx.preparedQuery(BUMP).execute(Tuple.of(pool, rv)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture();
      }
      Row row = rows.iterator().next();
      ObjectNode body = Json.readObject(row.getString("body"));
      if (!row.getBoolean("deleting")) {
        return modified(tx, rv, pool, body);
      }
      return tx.preparedQuery(HAS_ALLOCATIONS).execute(Tuple.of(pool)).compose(has -> has.iterator().next()
          .getBoolean(0) ? modified(tx, rv, pool, body) : finalize(tx, rv, pool, body));
    }));
  }

  private static Future<Void> modified(SqlConnection tx, long rv, String pool, ObjectNode body) {
    return PROJECTION.project(tx, List.of(body))
        .compose(v -> EventLog.append(tx, rv, ResourceKind.IPPOOL, "", pool, EventLog.Type.MODIFIED, body));
  }

  private static Future<Void> finalize(SqlConnection tx, long rv, String pool, ObjectNode body) {
    ObjectNode meta = (ObjectNode) body.get("metadata");
    boolean remaining = false;
    if (meta.get("finalizers") instanceof ArrayNode fins) {
      for (int i = fins.size() - 1; i >= 0; i--) {
        if (PoolSpecs.FINALIZER.equals(fins.get(i).asText())) {
          fins.remove(i);
        }
      }
      remaining = fins.size() > 0;
      if (!remaining) {
        meta.remove("finalizers");
      }
    }
    if (remaining) {
      return tx.preparedQuery(SET_BODY).execute(Tuple.of(pool, new JsonObject(Json.write(body))))
          .compose(v -> modified(tx, rv, pool, body));
    }
    return PROJECTION.project(tx, List.of(body))
        .compose(v -> tx.preparedQuery(DELETE_RESOURCE).execute(Tuple.of(pool)))
        .compose(v -> tx.preparedQuery(DELETE_STATE).execute(Tuple.of(pool)))
        .compose(v -> EventLog.append(tx, rv, ResourceKind.IPPOOL, "", pool, EventLog.Type.DELETED, body));
  }
}
