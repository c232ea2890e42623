package io.ippool.store.allocation;

import io.ippool.ipam.GcRepository;
import io.ippool.spiderpool.GarbageRules.Holder;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/** The garbage collector's statements (db/V9__pods_that_vanish.sql). */
public final class SqlGcRepository implements GcRepository {
  /** Identifies the collector's session lock among PostgreSQL advisory locks ('ippoolgc' in ASCII). */
  static final long SWEEP_LOCK = 0x697070_6f6f6c6763L;

  private static final String POOLS = "SELECT pool FROM ipam_pools ORDER BY pool";
  private static final String HOLDERS = "SELECT * FROM ipam_gc_holders($1::text[])";
  private static final String POD_HOLDERS = "SELECT * FROM ipam_gc_pod_holders($1::text[], $2::text[])";
  private static final String RECLAIM = "SELECT host(address) AS address, pool, pod_namespace, pod_name, pod_uid, "
      + "container_id, if_name, reason FROM ipam_gc_reclaim($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])";
  private static final String TRY_LOCK = "SELECT pg_try_advisory_lock($1)";
  private static final String UNLOCK = "SELECT pg_advisory_unlock($1)";

  private final Pool db;

  public SqlGcRepository(Pool db) {
    this.db = db;
  }

  @Override
  public Future<List<HeldBy>> podHolders(Collection<String> keys) {
    return podHolders(db, keys);
  }

  @Override
  public Future<List<Reclaimed>> reclaim(List<Doomed> doomed) {
    return reclaim(db, doomed);
  }

  /** A sweep's statements, all on the connection that holds the advisory lock. */
  private record ConnectionSweep(SqlConnection conn) implements Sweep {
    @Override
    public Future<List<String>> pools() {
      return SqlGcRepository.pools(conn);
    }

    @Override
    public Future<List<HeldBy>> holders(Collection<String> pools) {
      return SqlGcRepository.holders(conn, pools);
    }

    @Override
    public Future<List<Reclaimed>> reclaim(List<Doomed> doomed) {
      return SqlGcRepository.reclaim(conn, doomed);
    }
  }

  private static Future<List<String>> pools(SqlClient client) {
    return client.query(POOLS).execute().map(rows -> {
      List<String> out = new ArrayList<>();
      rows.forEach(r -> out.add(r.getString(0)));
      return out;
    });
  }

  private static Future<List<HeldBy>> holders(SqlClient client, Collection<String> pools) {
    return client.preparedQuery(HOLDERS).execute(Tuple.of((Object) pools.toArray(String[]::new)))
        .map(SqlGcRepository::heldBy);
  }

  /** Holders among the named pods ({@code keys} are "namespace/name"). */
  private static Future<List<HeldBy>> podHolders(SqlClient client, Collection<String> keys) {
    String[] ns = keys.stream().map(k -> k.substring(0, k.indexOf('/'))).toArray(String[]::new);
    String[] names = keys.stream().map(k -> k.substring(k.indexOf('/') + 1)).toArray(String[]::new);
    return client.preparedQuery(POD_HOLDERS).execute(Tuple.tuple().addArrayOfString(ns).addArrayOfString(names))
        .map(SqlGcRepository::heldBy);
  }

  private static List<HeldBy> heldBy(RowSet<Row> rows) {
    List<HeldBy> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(new HeldBy(new Holder(r.getString("pod_namespace"), r.getString("pod_name"), r.getString("pod_uid"),
          r.getString("container_id"), r.getString("node_name"), r.getString("owner_type"),
          r.getString("owner_name")), r.getOffsetDateTime("newest")));
    }
    return out;
  }

  /** One statement: reclaims what exactly these pod identities still hold (see ipam_gc_reclaim). */
  private static Future<List<Reclaimed>> reclaim(SqlClient client, List<Doomed> doomed) {
    if (doomed.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Tuple t = Tuple.tuple()
        .addArrayOfString(col(doomed, d -> d.holder().namespace()))
        .addArrayOfString(col(doomed, d -> d.holder().pod()))
        .addArrayOfString(col(doomed, d -> d.holder().uid()))
        .addArrayOfString(col(doomed, d -> d.holder().container()))
        .addArrayOfString(col(doomed, Doomed::reason));
    return client.preparedQuery(RECLAIM).execute(t).map(rows -> {
      List<Reclaimed> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new Reclaimed(r.getString("address"), r.getString("pool"), r.getString("pod_namespace"),
            r.getString("pod_name"), r.getString("pod_uid"), r.getString("container_id"), r.getString("if_name"),
            r.getString("reason")));
      }
      return out;
    });
  }

  private static String[] col(List<Doomed> doomed, Function<Doomed, String> f) {
    return doomed.stream().map(d -> f.apply(d) == null ? "" : f.apply(d)).toArray(String[]::new);
  }

  /**
   * Runs {@code sweep} on one connection while holding the collector's session advisory lock, so one replica
   * sweeps at a time; completes with false without running it when another replica holds the lock.
   */
  @Override
  public Future<Boolean> exclusively(Function<Sweep, Future<?>> sweep) {
    return db.getConnection().compose(conn -> conn.preparedQuery(TRY_LOCK).execute(Tuple.of(SWEEP_LOCK))
        .compose(rows -> {
          if (!rows.iterator().next().getBoolean(0)) {
            return Future.succeededFuture(false);
          }
          return sweep.apply(new ConnectionSweep(conn)).transform(ar -> conn.preparedQuery(UNLOCK).execute(Tuple.of(SWEEP_LOCK))
              .transform(x -> ar.succeeded() ? Future.succeededFuture(true) : Future.failedFuture(ar.cause())));
        })
        .eventually(conn::close));
  }
}
