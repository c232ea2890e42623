package io.ippool.store.stats;


import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;

/**
 * Pool counts from the allocator's tables (db/V2__allocator.sql) in one query for all pools, whatever their
 * number: totals and allocated counts are kept on {@code ipam_pools}; reserved addresses are the intersection of
 * each pool's ranges with the reservations of its family, computed on merged multiranges so that overlapping
 * reservations are not counted twice; reserved addresses a pod holds anyway are found by a containment test of each
 * held address (the gist-free {@code @>} on the merged multirange). Ranges are never expanded to addresses.
 */
public final class SqlPoolStats implements PoolStats.Source {
  static final String QUERY = """
      WITH reserved AS (
        SELECT family, range_agg(span) AS spans FROM ipam_reserved_ranges GROUP BY family
      ), ranges AS (
        SELECT pool, family, range_agg(numrange(first_num, last_num, '[]')) AS spans
        FROM ipam_pool_ranges GROUP BY pool, family
      ), held AS (
        SELECT g.pool, sum(upper(x) - lower(x) + CASE WHEN upper_inc(x) THEN 1 ELSE 0 END
                                             - CASE WHEN lower_inc(x) THEN 0 ELSE 1 END) AS n
        FROM ranges g JOIN reserved r ON r.family = g.family, unnest(g.spans * r.spans) AS x
        GROUP BY g.pool
      ), reserved_held AS (
        SELECT a.pool, count(*) AS n
        FROM ipam_allocations a JOIN reserved r ON r.family = a.family
        WHERE r.spans @> a.address_num
        GROUP BY a.pool
      )
      SELECT p.pool, p.total_ips::float8 AS total, p.allocated_count::float8 AS allocated,
             coalesce(h.n, 0)::float8 AS reserved, coalesce(rh.n, 0)::float8 AS reserved_held
      FROM ipam_pools p LEFT JOIN held h ON h.pool = p.pool LEFT JOIN reserved_held rh ON rh.pool = p.pool
      ORDER BY p.pool""";

  /** undefined_table: a database without the allocator's migration has no pools to report. */
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
