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
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The last steps of every allocation or release transaction: each pool whose allocations changed gets ONE
 * new resourceVersion and ONE watch event, however many addresses the batch moved, and the rows the batch
 * wrote are stamped with that resourceVersion.
 *
 * <p>The event body carries allocatedIPCount and totalIPCount but not allocatedIPs (the event is marked
 * {@code projected}): on a large pool that map is megabytes, and building and logging it on every batch made
 * an allocation cost O(pool size). Readers of the log rebuild it exactly as it was at the event's
 * revision from the stamps ({@link PoolStatusProjection#projectAt}), so the work per batch is O(batch).
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
             EXISTS (SELECT 1 FROM ipam_allocations a WHERE a.pool = r.name) AS has_allocations,
             coalesce(p.allocated_count, 0) AS allocated_count, p.total_ips::text AS total
        FROM resources r LEFT JOIN ipam_pools p ON p.pool = r.name
       WHERE r.resource = 'spiderippools' AND r.namespace = '' AND r.name = ANY($1)
       ORDER BY r.name""";
  /**
   * Stamps what the batch wrote with its pool's new resourceVersion ($1 pools, $2 revisions): the new
   * allocation rows ($3 families, $4 address numbers), whose allocate history is recorded here with the
   * stamp, and the release events ($5 ids). One statement, O(batch): it runs while the revision_counter
   * lock is held. A row of a pool that got no revision (removed meanwhile: it has no more events to rebuild)
   * is stamped after every revision handed out so far.
   */
  private static final String STAMP = """
      WITH m AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS m(pool, rv)),
           later AS (SELECT value + 1 AS rv FROM revision_counter),
           allocated AS (
             UPDATE ipam_allocations a
                SET revision = coalesce((SELECT m.rv FROM m WHERE m.pool = a.pool), (SELECT rv FROM later))
               FROM unnest($3::int[], $4::text[]::numeric[]) AS k(f, n)
              WHERE a.family = k.f AND a.address_num = k.n
             RETURNING a.family, a.address, a.pool, a.container_id, a.if_name, a.pod_namespace, a.pod_name,
                       a.pod_uid, a.revision),
           recorded AS (
             INSERT INTO ipam_allocation_events (action, family, address, pool, container_id, if_name,
                                                 pod_namespace, pod_name, pod_uid, revision)
             SELECT 'allocate', family, address, pool, container_id, if_name, pod_namespace, pod_name, pod_uid,
                    revision
               FROM allocated),
           released AS (
             UPDATE ipam_allocation_events e
                SET revision = coalesce((SELECT m.rv FROM m WHERE m.pool = e.pool), (SELECT rv FROM later))
              WHERE e.id = ANY($5::bigint[]))
      SELECT 1""";
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

  private PoolRevision() {
  }

  /** What a batch wrote, to be stamped with the new resourceVersions. */
  public record Written(List<Integer> allocatedFamilies, List<BigInteger> allocatedAddresses,
                        List<Long> releaseEvents) {
    public static final Written NOTHING = new Written(List.of(), List.of(), List.of());

    boolean isEmpty() {
      return allocatedFamilies.isEmpty() && releaseEvents.isEmpty();
    }
  }

  /**
   * Bumps each pool (in name order), appends its event, stamps the batch's rows, then one NOTIFY. Pools
   * that no longer exist are skipped. Nothing here grows with the pool: the global revision_counter row
   * lock taken by {@link Revisions#next} is held only for a few O(batch) statements and the commit.
   */
  public static Future<Void> changed(SqlConnection tx, Collection<String> pools, Written written) {
    if (pools.isEmpty() && written.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] names = new TreeSet<>(pools).toArray(String[]::new);
    List<String> bumped = new ArrayList<>();
    List<Long> revisions = new ArrayList<>();
    return tx.preparedQuery(BODIES).execute(Tuple.of((Object) names)).compose(rows -> {
      Future<Void> chain = Future.succeededFuture();
      for (Row r : rows) {
        ObjectNode body = Json.readObject(r.getString("body"));
        String pool = PoolSpecs.name(body);
        boolean finalize = r.getBoolean("deleting") && !r.getBoolean("has_allocations");
        // An idle pool has no allocations at all: its status is complete without reading anything.
        PoolStatusProjection.setCounts(body, finalize ? 0 : r.getLong("allocated_count"), r.getString("total"));
        chain = chain.compose(x -> Revisions.next(tx).compose(rv -> {
          bumped.add(pool);
          revisions.add(rv);
          return finalize ? finalize(tx, rv, pool, body) : modified(tx, rv, pool, body, true);
        }));
      }
      return chain;
    }).compose(v -> stamp(tx, bumped, revisions, written))
        .compose(v -> bumped.isEmpty() ? Future.succeededFuture() : EventLog.notifyWatchers(tx));
  }

  /** For callers that wrote no allocation rows ({@link #finalizeIfIdle}: an idle Terminating pool). */
  public static Future<Void> changed(SqlConnection tx, Collection<String> pools) {
    return changed(tx, pools, Written.NOTHING);
  }

  private static Future<Void> stamp(SqlConnection tx, List<String> pools, List<Long> revisions, Written w) {
    if (w.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple t = Tuple.tuple().addArrayOfString(pools.toArray(String[]::new))
        .addArrayOfLong(revisions.toArray(Long[]::new))
        .addArrayOfInteger(w.allocatedFamilies().toArray(Integer[]::new))
        .addArrayOfString(w.allocatedAddresses().stream().map(BigInteger::toString).toArray(String[]::new))
        .addArrayOfLong(w.releaseEvents().toArray(Long[]::new));
    return tx.preparedQuery(STAMP).execute(t).mapEmpty();
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

  /**
   * Stores the new resourceVersion and appends MODIFIED with the body (counts set). {@code projected}: the
   * body lacks allocatedIPs, which readers of the log fill in.
   */
  private static Future<Void> modified(SqlConnection tx, long rv, String pool, ObjectNode body, boolean projected) {
    ((ObjectNode) body.get("metadata")).put("resourceVersion", String.valueOf(rv));
    return tx.preparedQuery(BUMP).execute(Tuple.of(pool, rv))
        .compose(v -> EventLog.append(tx, rv, ResourceKind.IPPOOL, "", pool, EventLog.Type.MODIFIED, body,
            projected));
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
          .compose(v -> modified(tx, rv, pool, body, false));
    }
    return tx.preparedQuery(DELETE_RESOURCE).execute(Tuple.of(pool))
        .compose(v -> tx.preparedQuery(DELETE_STATE).execute(Tuple.of(pool)))
        .compose(v -> EventLog.append(tx, rv, ResourceKind.IPPOOL, "", pool, EventLog.Type.DELETED, body));
  }
}
