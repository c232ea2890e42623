package io.ippool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ippool.store.DatabaseUrl;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Watch delivery latency (same replica and cross-replica, 1 and 100 watchers), event-log reads per write,
 * and a paged LIST of 10,000 pools against a plain SELECT of the same rows. Not a test: run bench/watch.sh.
 * Prints markdown. Two replicas share one database: {@code PG_URL} if set, else an embedded PostgreSQL.
 */
public final class WatchBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SR = "/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips";
  private static final String SP = "/apis/spiderpool.spidernet.io/v2beta1/spiderippools";
  private static final int WRITES = Integer.getInteger("writes", 300);
  private static final int POOLS = Integer.getInteger("pools", 10_000);
  private static final int API_POOLS = 200;

  public static void main(String[] args) throws Exception {
    TestServer a = TestServer.start();
    TestServer b = TestServer.replicaOf(a);
    try {
      ApiClient apiA = ApiClient.admin(a);
      ApiClient apiB = ApiClient.admin(b);
      System.out.println("## Setup\n");
      System.out.println("- " + Runtime.getRuntime().availableProcessors() + " cores, load average at start: "
          + loadAverage() + ", Java " + System.getProperty("java.version"));
      System.out.println("- PostgreSQL: " + scalar(a.database(), "SELECT version()"));
      System.out.println("- two replicas in one JVM (A and B), each with its own Vert.x and pool of 8 connections");
      System.out.println();

      // Objects the latency writers patch, so every measured write is a MODIFIED of a small object.
      for (int i = 0; i < 10; i++) {
        apiA.post(SR, "application/json", "{\"metadata\":{\"name\":\"lat-" + i + "\"},\"spec\":{\"ips\":[\"10.90.0."
            + (i + 1) + "\"]}}");
      }
      System.out.println("## Watch delivery latency and event-log reads\n");
      System.out.println(WRITES + " sequential MODIFIED writes (merge patches of 10 SpiderReservedIPs, 5 ms apart)"
          + " per row; watchers on replica A. Latency = arrival of the event line at the watcher's reading thread"
          + " minus the writer's receipt of the 2xx (the commit happened before that, so this slightly"
          + " understates) and minus the moment the request was sent (an upper bound).\n");
      System.out.println("| writes via | watchers | events delivered | p50 ms (from response) | p99 ms | max ms "
          + "| p99 ms (from request) | log reads on A per write | log reads on B per write |");
      System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
      for (int watchers : new int[] {1, 100}) {
        latency(a, b, apiA, "A (same replica)", watchers, a, apiA);
        latency(a, b, apiA, "B (cross-replica)", watchers, b, apiB);
      }
      System.out.println("\nload average after the latency runs: " + loadAverage() + "\n");

      list(a, apiA);
      System.out.println("\nload average at the end: " + loadAverage());
    } finally {
      b.close();
      a.close();
    }
    System.exit(0);
  }

  // ------------------------------------------------------------------ latency

  private static void latency(TestServer a, TestServer b, ApiClient apiA, String label, int watchers,
                              TestServer writerServer, ApiClient writer) throws Exception {
    String rv = apiA.get(SR).json().path("metadata").path("resourceVersion").asText();
    int baseSubscribers = a.server().eventHub().subscriberCount();
    List<Watcher> ws = new ArrayList<>();
    for (int i = 0; i < watchers; i++) {
      ws.add(new Watcher(apiA, SR + "?watch=true&resourceVersion=" + rv));
    }
    long deadline = System.currentTimeMillis() + 30_000;
    while (a.server().eventHub().subscriberCount() < baseSubscribers + watchers
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    long readsA0 = a.server().eventHub().queries();
    long readsB0 = b.server().eventHub().queries();
    long[] sent = new long[WRITES];
    long[] answered = new long[WRITES];
    long[] rvs = new long[WRITES];
    for (int i = 0; i < WRITES; i++) {
      String body = "{\"metadata\":{\"labels\":{\"seq\":\"" + label.charAt(0) + watchers + "-" + i + "\"}}}";
      sent[i] = System.nanoTime();
      ApiClient.Response r = writer.patch(SR + "/lat-" + (i % 10), "application/merge-patch+json", body);
      answered[i] = System.nanoTime();
      if (r.code() != 200) {
        throw new IllegalStateException("write failed: " + r);
      }
      rvs[i] = r.json().path("metadata").path("resourceVersion").asLong();
      Thread.sleep(5);
    }
    long last = rvs[WRITES - 1];
    for (Watcher w : ws) {
      w.awaitRevision(last, 30_000);
    }
    long readsA = a.server().eventHub().queries() - readsA0;
    long readsB = b.server().eventHub().queries() - readsB0;
    List<Double> fromResponse = new ArrayList<>();
    List<Double> fromRequest = new ArrayList<>();
    int delivered = 0;
    for (Watcher w : ws) {
      for (int i = 0; i < WRITES; i++) {
        Long at = w.arrivals.get(rvs[i]);
        if (at != null) {
          delivered++;
          fromResponse.add((at - answered[i]) / 1e6);
          fromRequest.add((at - sent[i]) / 1e6);
        }
      }
      w.close();
    }
    double[] resp = sorted(fromResponse);
    double[] req = sorted(fromRequest);
    System.out.printf("| %s | %d | %d / %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n", label, watchers, delivered,
        WRITES * watchers, pct(resp, 50), pct(resp, 99), resp[resp.length - 1], pct(req, 99),
        (double) readsA / WRITES, (double) readsB / WRITES);
  }

  /** One watch stream, read line by line on its own thread; records when each revision arrived. */
  static final class Watcher implements AutoCloseable {
    final Map<Long, Long> arrivals = new java.util.concurrent.ConcurrentHashMap<>();
    final Stream<String> lines;
    volatile long newest;

    Watcher(ApiClient api, String path) {
      lines = api.stream(path, null);
      Thread t = new Thread(() -> {
        try {
          Iterator<String> it = lines.iterator();
          while (it.hasNext()) {
            String l = it.next();
            long now = System.nanoTime();
            if (l.isBlank()) {
              continue;
            }
            long rv = JSON.readTree(l).path("object").path("metadata").path("resourceVersion").asLong();
            arrivals.put(rv, now);
            newest = Math.max(newest, rv);
          }
        } catch (Exception ignored) {
          // closed
        }
      });
      t.setDaemon(true);
      t.start();
    }

    void awaitRevision(long rv, long timeoutMs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (newest < rv && System.currentTimeMillis() < deadline) {
        Thread.sleep(5);
      }
    }

    @Override
    public void close() {
      lines.close();
    }
  }

  // ------------------------------------------------------------------ list

  private static void list(TestServer a, ApiClient api) throws Exception {
    System.out.println("## LIST of " + POOLS + " SpiderIPPools\n");
    // The first pools through the API, 8 at a time: realistic rows, and the create rate as a side figure.
    ExecutorService pool = Executors.newFixedThreadPool(8);
    long t0 = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int n = 0; n < API_POOLS; n++) {
      int k = n;
      fs.add(pool.submit(() -> createPool(api, k)));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    double apiSeconds = (System.nanoTime() - t0) / 1e9;
    // The rest cloned in SQL from pool 0 in the shape the store writes: resources row, ADDED event with the
    // served (projected) body, ipam_pools and ipam_pool_ranges rows, revisions from the counter.
    long t1 = System.nanoTime();
    cloneInSql(a.database(), API_POOLS, POOLS);
    double sqlSeconds = (System.nanoTime() - t1) / 1e9;
    // A few more through the API with 10,000 pools present: what one create costs at this size.
    long t2 = System.nanoTime();
    int late = 20;
    for (int n = POOLS; n < POOLS + late; n++) {
      createPool(api, n);
    }
    double lateMs = (System.nanoTime() - t2) / 1e6 / late;
    pool.shutdown();
    int total = POOLS + late;
    System.out.printf("Inserted: %d pools through the API with 8 clients in %.1f s (%.1f ms per create at <%d "
        + "pools), %d cloned in SQL in %.1f s, then %d more through the API one by one: %.1f ms per create at "
        + "%d pools (each create reads every pool for Spiderpool's overlap check).%n%n", API_POOLS, apiSeconds,
        apiSeconds * 1000 / API_POOLS, API_POOLS, POOLS - API_POOLS, sqlSeconds, late, lateMs, POOLS);
    exec(a.database(), "VACUUM ANALYZE resources");
    exec(a.database(), "VACUUM ANALYZE resource_events");

    System.out.println("| run | LIST limit=500: pages | total ms | first page ms | slowest page ms | last page ms "
        + "| LIST without limit ms | JDBC SELECT body ms | items |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int run = 1; run <= 3; run++) {
      List<Double> pageMs = new ArrayList<>();
      int items = 0;
      String cont = null;
      long s = System.nanoTime();
      do {
        long p = System.nanoTime();
        ApiClient.Response r = api.get(SP + "?limit=500" + (cont == null ? ""
            : "&continue=" + URLEncoder.encode(cont, StandardCharsets.UTF_8)));
        if (r.code() != 200) {
          throw new IllegalStateException("list failed: " + r.code() + " " + r.body().substring(0, 200));
        }
        JsonNode page = r.json();
        pageMs.add((System.nanoTime() - p) / 1e6);
        items += page.path("items").size();
        cont = page.path("metadata").path("continue").asText("");
      } while (!cont.isEmpty());
      double pagedMs = (System.nanoTime() - s) / 1e6;

      long u = System.nanoTime();
      ApiClient.Response whole = api.get(SP);
      int wholeItems = whole.json().path("items").size();
      double wholeMs = (System.nanoTime() - u) / 1e6;
      if (wholeItems != items) {
        throw new IllegalStateException("paged " + items + " vs whole " + wholeItems);
      }

      long v = System.nanoTime();
      int rows = selectBodies(a.database());
      double jdbcMs = (System.nanoTime() - v) / 1e6;
      if (rows != total || items != total) {
        throw new IllegalStateException("rows " + rows + ", items " + items + ", expected " + total);
      }
      System.out.printf("| %d | %d | %.0f | %.1f | %.1f | %.1f | %.0f | %.0f | %d |%n", run, pageMs.size(), pagedMs,
          pageMs.get(0), pageMs.stream().mapToDouble(Double::doubleValue).max().orElse(0),
          pageMs.get(pageMs.size() - 1), wholeMs, jdbcMs, items);
      if (run == 3) {
        System.out.println("\nPage times of the last run (ms): " + pageMs.stream()
            .map(d -> String.format("%.0f", d)).toList());
      }
    }
  }

  private static void createPool(ApiClient api, int n) {
    String net = "10." + (n / 256) + "." + (n % 256);
    ApiClient.Response r = api.post(SP, "application/json", "{\"metadata\":{\"name\":\"" + poolName(n)
        + "\"},\"spec\":{\"ipVersion\":4,\"subnet\":\"" + net + ".0/24\",\"ips\":[\"" + net + ".1-" + net
        + ".10\"]}}");
    if (r.code() != 201) {
      throw new IllegalStateException("create " + n + ": " + r);
    }
  }

  private static String poolName(int n) {
    return String.format("bench-%05d", n);
  }

  private static void cloneInSql(DatabaseUrl db, int from, int to) throws Exception {
    String template = poolName(0);
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        long rv0;
        try (ResultSet rs = s.executeQuery("SELECT value FROM revision_counter FOR UPDATE")) {
          rs.next();
          rv0 = rs.getLong(1);
        }
        // n -> revision rv0 + (n - from + 1); the network 10.(n/256).(n%256).0/24 with .1-.10 in spec.ips.
        String gen = "SELECT n, " + rv0 + " + n - " + from + " + 1 AS rv, format('bench-%s', lpad(n::text, 5, '0')) "
            + "AS name, format('10.%s.%s', n / 256, n % 256) AS net, gen_random_uuid() AS uid "
            + "FROM generate_series(" + from + ", " + (to - 1) + ") n";
        s.execute("CREATE TEMP TABLE gen AS " + gen);
        String body = "jsonb_set(jsonb_set(jsonb_set(jsonb_set(jsonb_set(%s, '{metadata,name}', to_jsonb(g.name)), "
            + "'{metadata,uid}', to_jsonb(g.uid::text)), '{metadata,resourceVersion}', to_jsonb(g.rv::text)), "
            + "'{spec,subnet}', to_jsonb(g.net || '.0/24')), '{spec,ips}', jsonb_build_array(g.net || '.1-' || "
            + "g.net || '.10'))";
        s.executeUpdate("INSERT INTO resources (resource, namespace, name, uid, resource_version, created_at, deleting, "
            + "body) SELECT r.resource, r.namespace, g.name, g.uid, g.rv, r.created_at, false, "
            + body.formatted("r.body") + " FROM resources r, gen g WHERE r.resource = 'spiderippools' AND r.name = '"
            + template + "'");
        s.executeUpdate("INSERT INTO resource_events (resource_version, resource, namespace, name, event_type, body) "
            + "SELECT g.rv, e.resource, e.namespace, g.name, 'ADDED', " + body.formatted("e.body")
            + " FROM resource_events e, gen g WHERE e.resource = 'spiderippools' AND e.name = '" + template
            + "' AND e.event_type = 'ADDED'");
        s.executeUpdate("INSERT INTO ipam_pools (pool, family, prefix_length, total_ips, allocated_count, free_hint) "
            + "SELECT g.name, p.family, p.prefix_length, p.total_ips, 0, (g.net || '.1')::inet - '0.0.0.0'::inet "
            + "FROM ipam_pools p, gen g WHERE p.pool = '" + template + "'");
        s.executeUpdate("INSERT INTO ipam_pool_ranges (pool, family, first_num, last_num, first_ip, last_ip) "
            + "SELECT g.name, 4, (g.net || '.1')::inet - '0.0.0.0'::inet, (g.net || '.10')::inet - '0.0.0.0'::inet, "
            + "(g.net || '.1')::inet, (g.net || '.10')::inet FROM gen g");
        s.executeUpdate("UPDATE revision_counter SET value = " + (rv0 + to - from));
      }
      c.commit();
    }
  }

  private static int selectBodies(DatabaseUrl db) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT body FROM resources WHERE resource = 'spiderippools' ORDER BY name")) {
      int n = 0;
      long bytes = 0;
      while (rs.next()) {
        bytes += rs.getString(1).length();
        n++;
      }
      return bytes > 0 ? n : 0;
    }
  }

  // ------------------------------------------------------------------ helpers

  private static String scalar(DatabaseUrl db, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
         Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void exec(DatabaseUrl db, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
         Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String loadAverage() {
    try {
      return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
    } catch (Exception e) {
      return "?";
    }
  }

  private static double[] sorted(List<Double> xs) {
    double[] d = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return d.length == 0 ? new double[] {Double.NaN} : d;
  }

  private static double pct(double[] sorted, double p) {
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(i, sorted.length - 1))];
  }

  private WatchBenchmark() {
  }
}
