package io.ippool.metrics;

import io.ippool.store.stats.PoolStats;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ippool.store.Database;
import io.ippool.store.DatabaseUrl;
import io.ippool.testsupport.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.ippool.store.stats.SqlPoolStats;
import org.junit.jupiter.api.Test;

/**
 * The pool gauge query against the allocator's tables. Creates only the columns it writes (IF NOT EXISTS, as in
 * db/V2__allocator.sql), so the test runs whether or not the allocator's migration is on this branch.
 */
class SqlPoolStatsIT {
  private static final String TABLES = """
      CREATE TABLE IF NOT EXISTS ipam_pools (pool text COLLATE "C" PRIMARY KEY, family smallint NOT NULL,
        prefix_length smallint NOT NULL, total_ips numeric(39,0) NOT NULL, allocated_count bigint NOT NULL DEFAULT 0,
        free_hint numeric(39,0) NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS ipam_pool_ranges (pool text COLLATE "C" NOT NULL, family smallint NOT NULL,
        first_num numeric(39,0) NOT NULL, last_num numeric(39,0) NOT NULL, first_ip inet NOT NULL,
        last_ip inet NOT NULL, PRIMARY KEY (pool, first_num));
      CREATE TABLE IF NOT EXISTS ipam_reserved_ranges (reservation text COLLATE "C" NOT NULL,
        family smallint NOT NULL, first_num numeric(39,0) NOT NULL, last_num numeric(39,0) NOT NULL,
        first_ip inet NOT NULL, last_ip inet NOT NULL,
        span numrange GENERATED ALWAYS AS (numrange(first_num, last_num, '[]')) STORED,
        PRIMARY KEY (reservation, first_num));
      CREATE TABLE IF NOT EXISTS ipam_allocations (family smallint NOT NULL, address_num numeric(39,0) NOT NULL,
        address inet NOT NULL, pool text COLLATE "C" NOT NULL, container_id text COLLATE "C" NOT NULL,
        if_name text COLLATE "C" NOT NULL, pod_namespace text COLLATE "C" NOT NULL, pod_name text COLLATE "C" NOT NULL,
        pod_uid text COLLATE "C" NOT NULL);
      """;

  // 10.0.0.0 as a number; pool-a holds 10.0.0.1-10.0.0.10 and 10.0.0.20-10.0.0.21.
  private static final long NET = 167772160L;

  @Test
  void oneQueryCountsEveryPool_overlappingReservationsOnce() throws Exception {
    DatabaseUrl url = TestDatabase.fresh();
    Vertx vertx = Vertx.vertx();
    Pool pool = Database.pool(vertx, url, 2);
    try {
      assertEquals(List.of(), await(new SqlPoolStats(pool).read()), "no allocator tables or no pools: nothing");
      try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
           Statement s = c.createStatement()) {
        s.execute(TABLES);
        s.execute("INSERT INTO ipam_pools (pool, family, prefix_length, total_ips, allocated_count) VALUES "
            + "('pool-a', 4, 24, 12, 2), ('pool-b', 6, 64, 18446744073709551616, 0), ('pool-c', 4, 24, 0, 0)");
        s.execute("INSERT INTO ipam_pool_ranges VALUES "
            + range("pool-a", NET + 1, NET + 10) + ", " + range("pool-a", NET + 20, NET + 21) + ", "
            + "('pool-b', 6, 0, 18446744073709551615, '::', '::ffff:ffff:ffff:ffff')");
        // r1 and r2 overlap on .6; r3 covers .9-.20 (three addresses of pool-a); r4 is outside every pool.
        s.execute("INSERT INTO ipam_reserved_ranges (reservation, family, first_num, last_num, first_ip, last_ip) "
            + "VALUES " + reserved("r1", NET + 5, NET + 6) + ", " + reserved("r2", NET + 6, NET + 8) + ", "
            + reserved("r3", NET + 9, NET + 20) + ", " + reserved("r4", NET + 200, NET + 210));
        // pool-a's two pods: .1 is free of reservations, .6 was handed out before r1/r2 reserved it.
        s.execute("INSERT INTO ipam_allocations (family, address_num, address, pool, container_id, if_name, "
            + "pod_namespace, pod_name, pod_uid) VALUES (4, " + (NET + 1) + ", '10.0.0.1', 'pool-a', 'c1', 'eth0', "
            + "'default', 'p1', 'u1'), (4, " + (NET + 6) + ", '10.0.0.6', 'pool-a', 'c2', 'eth0', 'default', 'p2', 'u2')");
      }
      List<PoolStats> stats = await(new SqlPoolStats(pool).read());
      assertEquals(List.of(
          new PoolStats("pool-a", 12, 2, 7, 1),   // reserved: .5-.8 (4), .9-.10 (2), .20 (1); .6 is held
          new PoolStats("pool-b", 18446744073709551616.0, 0, 0, 0),
          new PoolStats("pool-c", 0, 0, 0, 0)), stats);
      PoolStats a = stats.get(0);
      assertEquals(6, a.reservedFree(), "the held reserved address counts as allocated, not reserved");
      assertEquals(4, a.free(), ".2-.4 and .21");
      assertEquals(a.total(), a.allocated() + a.reservedFree() + a.free(), "the states partition the pool");
    } finally {
      pool.close();
      vertx.close();
    }
  }

  private static String range(String pool, long first, long last) {
    return "('" + pool + "', 4, " + first + ", " + last + ", '" + ip(first) + "', '" + ip(last) + "')";
  }

  private static String reserved(String name, long first, long last) {
    return "('" + name + "', 4, " + first + ", " + last + ", '" + ip(first) + "', '" + ip(last) + "')";
  }

  private static String ip(long n) {
    return (n >> 24 & 255) + "." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255);
  }

  private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
