package io.ippool.bench;

import io.ippool.store.DatabaseUrl;
import io.ippool.store.EmbeddedDatabase;
import io.ippool.store.Migrations;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * Reporting views at scale: 10,000 pools, 10,000 reserved ranges, 1,000,000 allocations (set-based seed,
 * src/test/resources/io/ippool/bench/reporting-seed.sql), then client-side timings and EXPLAIN (ANALYZE,
 * BUFFERS). Not a test: run bench/reporting.sh. Prints markdown.
 *
 * <p>Usage: {@code ReportingBenchmark [postgresql://user:pass@host:port/db]}. Without a URL it starts a
 * throw-away embedded PostgreSQL (zonky), so it disturbs no shared server. With one it (re)creates the
 * database ippool_report_bench there.
 */
public final class ReportingBenchmark {
  private static final int RUNS = 15;

  public static void main(String[] args) throws Exception {
    EmbeddedDatabase embedded = null;
    DatabaseUrl server;
    if (args.length > 0) {
      server = DatabaseUrl.parse(args[0]);
    } else {
      embedded = EmbeddedDatabase.startEphemeral();
      server = embedded.url();
    }
    try {
      run(server);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private static void run(DatabaseUrl server) throws Exception {
    DatabaseUrl db = recreate(server, "ippool_report_bench");
    Migrations.migrate(db);
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
         Statement s = c.createStatement()) {
      System.out.println("server: " + one(s, "SELECT version()"));
      System.out.println("settings: " + one(s, "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) "
          + "FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'jit', 'jit_above_cost', "
          + "'max_parallel_workers_per_gather')"));
      long t0 = System.nanoTime();
      // Bulk load without the per-row refresh triggers (superuser only), then one set-based refresh: the
      // triggers are for the API's one-object-at-a-time writes.
      s.execute("SET session_replication_role = replica");
      s.execute(seedSql());
      s.execute("SET session_replication_role = origin");
      long t1 = System.nanoTime();
      s.execute("SELECT reporting.refresh_pools(array_agg(pool), true) FROM ipam_pools");
      long t2 = System.nanoTime();
      s.execute("VACUUM ANALYZE");
      System.out.printf("seed: %.1f s; full cache refresh of 10,000 pools: %.2f s%n", (t1 - t0) / 1e9,
          (t2 - t1) / 1e9);
      System.out.println("rows: " + one(s, "SELECT format('%s pools, %s pool ranges, %s reserved ranges, "
          + "%s allocations, %s events, %s reserved pieces', (SELECT count(*) FROM ipam_pools), "
          + "(SELECT count(*) FROM ipam_pool_ranges), (SELECT count(*) FROM ipam_reserved_ranges), "
          + "(SELECT count(*) FROM ipam_allocations), (SELECT count(*) FROM ipam_allocation_events), "
          + "(SELECT count(*) FROM reporting.pool_reserved_pieces))"));
      System.out.println();

      // Timings on a shared machine mean little without the load they were taken under.
      System.out.println("load average before timings: " + java.nio.file.Files.readString(
          java.nio.file.Path.of("/proc/loadavg")).trim() + " (" + Runtime.getRuntime().availableProcessors()
          + " CPUs)");
      backendPid = Long.parseLong(one(s, "SELECT pg_backend_pid()"));
      System.out.println("| query | rows | median ms | p90 ms | min ms | backend CPU ms/run |");
      System.out.println("|---|---:|---:|---:|---:|---:|");
      for (String q : List.of("SELECT * FROM reporting.pool_utilization",
          "SELECT * FROM reporting.reserved_ip_holders",
          "SELECT * FROM reporting.pool_utilization WHERE percent_used > 80",
          "SELECT namespace, count(*) FROM reporting.allocations GROUP BY namespace",
          "SELECT date_trunc('hour', at), count(*) FROM reporting.allocation_events "
              + "WHERE at > now() - interval '6 hours' GROUP BY 1")) {
        time(s, q);
      }
      System.out.println();

      explain(s, "SELECT * FROM reporting.pool_utilization", false);
      explain(s, body(s, "pool_utilization_rows"), true);
      explain(s, "SELECT * FROM reporting.reserved_ip_holders", false);
      explain(s, body(s, "reserved_ip_holders_rows"), true);
      System.out.println();

      // Commit-time refresh cost of a reservation write (what a kubectl apply of a SpiderReservedIP adds).
      c.setAutoCommit(false);
      for (String[] w : List.of(
          new String[] {"1 pool", "INSERT INTO ipam_reserved_ranges (reservation, family, first_num, last_num, "
              + "first_ip, last_ip) VALUES ('w1', 4, 167772160 + 256 * 42 + 230, 167772160 + 256 * 42 + 232, "
              + "'10.0.42.230', '10.0.42.232')"},
          new String[] {"1,000 pools", "INSERT INTO ipam_reserved_ranges (reservation, family, first_num, last_num, "
              + "first_ip, last_ip) VALUES ('w1000', 4, 167772160 + 256 * 5000 + 253, "
              + "167772160 + 256 * 6000 + 2, '10.19.136.253', '10.23.112.2')"})) {
        long a = System.nanoTime();
        s.execute(w[1]);
        c.commit();
        System.out.printf("reservation write touching %s, insert + commit (refresh at commit): %.1f ms%n", w[0],
            (System.nanoTime() - a) / 1e6);
      }
      c.setAutoCommit(true);
      System.out.println();

    }
  }

  private static void time(Statement s, String sql) throws Exception {
    for (int i = 0; i < 3; i++) {
      drain(s, sql);
    }
    double[] ms = new double[RUNS];
    int rows = 0;
    long cpu0 = backendCpuTicks();
    for (int i = 0; i < RUNS; i++) {
      long a = System.nanoTime();
      rows = drain(s, sql);
      ms[i] = (System.nanoTime() - a) / 1e6;
    }
    long cpu1 = backendCpuTicks();
    Arrays.sort(ms);
    System.out.printf("| `%s` | %d | %.1f | %.1f | %.1f | %s |%n", sql, rows, ms[RUNS / 2], ms[(int) (RUNS * 0.9)],
        ms[0], cpu0 < 0 ? "n/a" : String.format("%.1f", (cpu1 - cpu0) * 10.0 / RUNS));
  }

  private static long backendPid;

  /**
   * utime + stime of our PostgreSQL backend in clock ticks (10 ms), from /proc: wall-clock times on a
   * shared 2-core machine mostly measure the neighbours, CPU time does not. -1 when the server is remote.
   */
  private static long backendCpuTicks() {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + backendPid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (Exception e) {
      return -1;
    }
  }

  private static int drain(Statement s, String sql) throws Exception {
    int n = 0;
    try (ResultSet rs = s.executeQuery(sql)) {
      int cols = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= cols; i++) {
          rs.getString(i);
        }
        n++;
      }
    }
    return n;
  }

  /** EXPLAIN (ANALYZE, BUFFERS); the function bodies are explained with jit = off, as they run. */
  private static void explain(Statement s, String sql, boolean jitOff) throws Exception {
    if (jitOff) {
      s.execute("SET jit = off");
    }
    System.out.println("```");
    System.out.println("EXPLAIN (ANALYZE, BUFFERS)" + (jitOff ? " -- with jit = off, as inside the function" : ""));
    System.out.println(sql.strip());
    System.out.println();
    try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
      while (rs.next()) {
        System.out.println(rs.getString(1));
      }
    }
    System.out.println("```");
    s.execute("RESET jit");
  }

  private static String body(Statement s, String function) throws Exception {
    return one(s, "SELECT prosrc FROM pg_proc WHERE proname = '" + function + "'");
  }

  private static String one(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String seedSql() throws Exception {
    try (InputStream in = ReportingBenchmark.class.getResourceAsStream("reporting-seed.sql")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static DatabaseUrl recreate(DatabaseUrl server, String name) throws Exception {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
         Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + name);
    }
    return new DatabaseUrl(server.host(), server.port(), name, server.user(), server.password(), server.params());
  }

  private ReportingBenchmark() {
  }
}
