package io.ippool.store.stats;


import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;

/**
 * Pool counts for the metrics, read from the reporting view {@code reporting.pool_utilization}
 * (db/R__reporting_views.sql), so the metrics and the analysts' SQL count reserved addresses the same way, from
 * the same place. One query for all pools, whatever their number: totals and allocated counts are kept on
 * {@code ipam_pools}, the reserved count per pool is cached when a pool or reservation is written (merged, so
 * overlapping reservations count once), and the reserved addresses a pod holds anyway are found by one index
 * probe per reserved piece. Ranges are never expanded to addresses.
 */
public final class SqlPoolStats implements PoolStats.Source {
  static final String QUERY = """
      SELECT pool, total::float8 AS total, allocated::float8 AS allocated, reserved::float8 AS reserved,
             reserved_allocated::float8 AS reserved_held
      FROM reporting.pool_utilization
      ORDER BY pool""";

  /** undefined_table: a database without the reporting migrations has no pools to report. */
  private static final String UNDEFINED_TABLE = "42P01";

  private final Pool pool;

  public SqlPoolStats(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<List<PoolStats>> read() {
    return pool.query(QUERY).execute().map(rows -> {
      List<PoolStats> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(new PoolStats(r.getString("pool"), r.getDouble("total"), r.getDouble("allocated"),
            r.getDouble("reserved"), r.getDouble("reserved_held")));
      }
      return out;
    }).recover(e -> e instanceof PgException pg && UNDEFINED_TABLE.equals(pg.getSqlState())
        ? Future.succeededFuture(List.of()) : Future.failedFuture(e));
  }
}
