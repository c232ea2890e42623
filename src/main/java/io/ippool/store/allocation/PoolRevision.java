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
  private static final String BODIES = """
      SELECT r.name, r.body::text AS body, r.deleting,
             EXISTS (SELECT 1 FROM ipam_allocations a WHERE a.pool = r.name) AS has_allocations
        FROM resources r
       WHERE r.resource = 'spiderippools' AND r.namespace = '' AND r.name = ANY($1)
       ORDER BY r.name""";
  private static final String BUMP = """
      UPDATE resources
         SET resource_version = $2::bigint,
             body = jsonb_set(body, '{metadata,resourceVersion}', to_jsonb($2::bigint::text))
       WHERE resource = 'spiderippools' AND namespace = '' AND name = $1""";
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

  /**
   * Bumps each pool (in name order), appends its event, then one NOTIFY. Pools that no longer exist are
   * skipped. The projections (the costly part: allocatedIPs text) are computed first, in one query, so the
   * global revision_counter row lock taken by {@link Revisions#next} is held only for the final few
   * statements and the commit.
   */
  public static Future<Void> changed(SqlConnection tx, java.util.Collection<String> pools) {
    if (pools.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] names = new TreeSet<>(pools).toArray(String[]::new);
    return tx.preparedQuery(BODIES).execute(Tuple.of((Object) names)).compose(rows -> {
      List<ObjectNode> bodies = new java.util.ArrayList<>();
      List<Boolean> idle = new java.util.ArrayList<>();
      for (Row r : rows) {
        bodies.add(Json.readObject(r.getString("body")));
        idle.add(r.getBoolean("deleting") && !r.getBoolean("has_allocations"));
      }
      return PROJECTION.project(tx, bodies).compose(v -> {
        Future<Void> chain = Future.succeededFuture();
        for (int i = 0; i < bodies.size(); i++) {
          ObjectNode body = bodies.get(i);
          boolean finalize = idle.get(i);
          chain = chain.compose(x -> Revisions.next(tx).compose(rv -> finalize
              ? finalize(tx, rv, PoolSpecs.name(body), body)
              : modified(tx, rv, PoolSpecs.name(body), body)));
        }
        return chain;
      });
    }).compose(v -> EventLog.notifyWatchers(tx));
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

  /** Stores the new resourceVersion and appends MODIFIED with the (already projected) body. */
  private static Future<Void> modified(SqlConnection tx, long rv, String pool, ObjectNode body) {
    ((ObjectNode) body.get("metadata")).put("resourceVersion", String.valueOf(rv));
    return tx.preparedQuery(BUMP).execute(Tuple.of(pool, rv))
        .compose(v -> EventLog.append(tx, rv, ResourceKind.IPPOOL, "", pool, EventLog.Type.MODIFIED, body));
  }

  /** Drops our finalizer; deletes the pool (DELETED event) when it was the last one. */
  private static Future<Void> finalize(SqlConnection tx, long rv, String pool, ObjectNode body) {
    ObjectNode meta = (ObjectNode) body.get("metadata");
    meta.put("resourceVersion", String.valueOf(rv));
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
      ObjectNode stored = body.deepCopy();
      stored.remove("status");
      return tx.preparedQuery(SET_BODY).execute(Tuple.of(pool, new JsonObject(Json.write(stored))))
          .compose(v -> modified(tx, rv, pool, body));
    }
    return tx.preparedQuery(DELETE_RESOURCE).execute(Tuple.of(pool))
        .compose(v -> tx.preparedQuery(DELETE_STATE).execute(Tuple.of(pool)))
        .compose(v -> EventLog.append(tx, rv, ResourceKind.IPPOOL, "", pool, EventLog.Type.DELETED, body));
  }
}
