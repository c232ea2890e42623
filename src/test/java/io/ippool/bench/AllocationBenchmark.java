package io.ippool.bench;

import io.ippool.store.allocation.SqlAllocationRepository;
import io.ippool.ipam.Allocator;
import io.ippool.ipam.AllocatorConfig;
import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.DelArgs;
import io.ippool.ipam.KubeMetadata;
import io.ippool.ipam.http.IpamSocketServer;
import io.ippool.store.DatabaseUrl;
import io.ippool.store.Migrations;
import io.ippool.store.allocation.AllocFixture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Allocation throughput and latency against a real PostgreSQL, with pgbench -N on the same server as the
 * yardstick. Not a test: run bench/allocation.sh. Prints a markdown table.
 *
 * <p>Usage: {@code AllocationBenchmark <postgresql://user:pass@host:port/db>}. It creates (and drops first)
 * the databases ippool_bench and ippool_pgbench on that server.
 */
public final class AllocationBenchmark {
  /** -Dclients=32 (or 1,8) measures only those client counts, for a quicker look. */
  private static final int[] CLIENTS = java.util.Arrays.stream(System.getProperty("clients", "1,8,32,64").split(","))
      .mapToInt(Integer::parseInt).toArray();
  private static final List<String> ROWS = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    // The allocator logs one INFO line per address (issue 7). By default the benchmark measures allocation
    // without them; -Dlogs=true keeps them, to measure what the audit lines cost (send stderr to a file).
    if (!Boolean.getBoolean("logs")) {
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.ippool"))
          .setLevel(ch.qos.logback.classic.Level.WARN);
    }
    DatabaseUrl server = DatabaseUrl.parse(args.length > 0 ? args[0]
        : "postgresql://postgres:postgres@127.0.0.1:5432/postgres");
    DatabaseUrl bench = recreate(server, "ippool_bench");
    Migrations.migrate(bench);
    // No cap on records per pool (the default; Spiderpool's is 5000), so a /16 can be filled.
    boolean perPool = "perpool".equals(System.getProperty("lanes", "global"));
    int inFlight = Integer.getInteger("inflight", 1);
    boolean quick = Boolean.getBoolean("quick");
    AllocatorConfig cfg = AllocatorConfig.defaults().withLanes(perPool, inFlight);
    row("lanes=" + (perPool ? "per pool set" : "one global") + ", in flight per lane=" + inFlight);
    row("");

    try (AllocFixture fx = AllocFixture.on(bench, 16)) {
      Allocator alloc = new Allocator(new SqlAllocationRepository(fx.db), KubeMetadata.standalone(), cfg);
      row("| scenario | clients | allocations | alloc/s | p50 ms | p99 ms | per pool event |");
      row("|---|---:|---:|---:|---:|---:|---:|");
      AtomicInteger pod = new AtomicInteger();
      for (int c : CLIENTS) {
        String p = "one-" + c;
        fx.pool(p, "10." + (100 + c) + ".0.0/16", List.of("10." + (100 + c) + ".0.1-10." + (100 + c) + ".255.254"));
        int n = c == 1 ? 600 : 3000;
        run(fx, alloc, "1 pool (/16)", c, n, i -> add(pod.incrementAndGet(), p), p);
      }
      for (int c : CLIENTS) {
        List<String> pools = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
          String p = "eight-" + c + "-" + k;
          fx.pool(p, "10." + (150 + c) + "." + (k * 16) + ".0/20",
              List.of("10." + (150 + c) + "." + (k * 16) + ".1-10." + (150 + c) + "." + (k * 16 + 15) + ".254"));
          pools.add(p);
        }
        int n = c == 1 ? 600 : 3000;
        run(fx, alloc, "8 pools (/20 each)", c, n, i -> add(pod.incrementAndGet(), pools.get(i % 8)),
            "eight-" + c + "-%");
      }

      // The same single-pool load through the allocation endpoint: HTTP/1.1 over the IPAM unix socket, as the
      // CNI plugin calls it (request parsing, JSON, the socket), clients in this JVM.
      Path dir = Files.createTempDirectory("ippool-bench");
      Path socket = dir.resolve("ipam.sock");
      HttpServer ipamServer = AllocFixture.await(IpamSocketServer.start(fx.vertx, socket, alloc));
      // The clients get their own event loops, as a separate process would have.
      Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
      HttpClient http = clientVertx.createHttpClient(new PoolOptions().setHttp1MaxSize(64));
      SocketAddress address = SocketAddress.domainSocketAddress(socket.toString());
      // Not reported: JIT warm-up of the HTTP path on both sides.
      fx.pool("sock-warm", "10.49.0.0/16", List.of("10.49.0.1-10.49.255.254"));
      closedLoop(8, 2000, i -> http.request(new RequestOptions().setServer(address).setMethod(HttpMethod.POST)
              .setHost("localhost").setURI("/v1/ipam/ip").putHeader("Content-Type", "application/json"))
          .compose(req -> req.send(add(pod.incrementAndGet(), "sock-warm").toJson().toString()))
          .compose(resp -> resp.body().mapEmpty()));
      for (int c : CLIENTS) {
        String p = "sock-" + c;
        fx.pool(p, "10." + (50 + c) + ".0.0/16", List.of("10." + (50 + c) + ".0.1-10." + (50 + c) + ".255.254"));
        int n = c == 1 ? 600 : 3000;
        Stats s = closedLoop(c, n, i -> http.request(new RequestOptions().setServer(address).setMethod(HttpMethod.POST)
                .setHost("localhost").setURI("/v1/ipam/ip").putHeader("Content-Type", "application/json"))
            .compose(req -> req.send(add(pod.incrementAndGet(), p).toJson().toString()))
            .compose(resp -> resp.body().compose(body -> resp.statusCode() == 200 ? Future.<Void>succeededFuture()
                : Future.<Void>failedFuture(resp.statusCode() + " " + body))));
        row("| 1 pool (/16), over the unix socket | " + c + " | " + n + " | " + s.rate() + " | " + s.p(50) + " | "
            + s.p(99) + " | - |");
      }
      AllocFixture.await(ipamServer.close());
      AllocFixture.await(clientVertx.close());
      Files.deleteIfExists(socket);
      Files.deleteIfExists(dir);

      if (quick) {
        ROWS.forEach(System.out::println);
        System.exit(0);
      }
      // Release: everything the 8-, 32- and 64-client single-pool runs allocated, by as many clients (the
      // 8-client row is also the release path's JIT warm-up).
      for (int c : new int[] {8, 32, 64}) {
        // A DEL names the pod that holds the container (a DEL naming another pod releases nothing).
        List<String> holders = fx.strings("SELECT container_id || ' ' || pod_name || ' ' || pod_uid "
            + "FROM ipam_allocations WHERE pool = 'one-" + c + "'");
        if (holders.isEmpty()) {
          continue;
        }
        AtomicInteger next = new AtomicInteger();
        Stats rel = closedLoop(c, holders.size(), i -> {
          String[] h = holders.get(next.getAndIncrement()).split(" ");
          return alloc.release(new DelArgs(h[0], "eth0", null, "bench", h[1], h[2])).map(v -> null);
        });
        long left = fx.scalar("SELECT count(*) FROM ipam_allocations WHERE pool = 'one-" + c + "'");
        if (left != 0) {
          throw new IllegalStateException("the release row left " + left + " addresses held in one-" + c);
        }
        row("| release, 1 pool | " + c + " | " + holders.size() + " | " + rel.rate() + " | " + rel.p(50) + " | "
            + rel.p(99) + " | - |");
      }

      // Fill level: an empty /24 against a /16 that is 99% allocated (1 hole in 100), one client.
      fx.pool("empty24", "10.200.0.0/24", List.of("10.200.0.1-10.200.0.254"));
      fx.pool("full16", "10.201.0.0/16", List.of("10.201.0.1-10.201.255.254"));
      fx.scalar("""
          WITH ins AS (
            INSERT INTO ipam_allocations (family, address_num, address, pool, container_id, if_name, pod_namespace,
                                          pod_name, pod_uid)
            SELECT 4, n, '0.0.0.0'::inet + n, 'full16', 'fill-' || n, 'eth0', 'fill', 'fill-' || n, 'u' || n
              FROM generate_series((SELECT first_num FROM ipam_pool_ranges WHERE pool = 'full16')::bigint,
                                   (SELECT last_num FROM ipam_pool_ranges WHERE pool = 'full16')::bigint) AS g(n)
             WHERE n % 100 <> 0
            RETURNING 1)
          SELECT count(*) FROM ins""");
      fx.scalar("UPDATE ipam_pools SET allocated_count = (SELECT count(*) FROM ipam_allocations WHERE pool = 'full16') "
          + "WHERE pool = 'full16' RETURNING allocated_count");
      // Settle after the bulk insert, as a pool that filled up over weeks would be: otherwise autovacuum and a
      // checkpoint land in the middle of the 200 measured allocations (one run measured 10 ms at p50).
      AllocFixture.await(fx.db.query("VACUUM ANALYZE ipam_allocations").execute());
      AllocFixture.await(fx.db.query("CHECKPOINT").execute());
      // The two pools take turns, request by request, so that whatever the machine does meanwhile weighs on
      // both alike (measured one after the other, the p50s of two runs differed by up to 1.5x on their own).
      int each = 200;
      long emptyBefore = batches(fx, "empty24");
      long fullBefore = batches(fx, "full16");
      Stats turns = closedLoop(1, 2 * each, i -> alloc.allocate(add(pod.incrementAndGet(), i % 2 == 0 ? "empty24"
          : "full16")).map(r -> null));
      row(fillRow("empty /24", turns.every(2, 0), batches(fx, "empty24") - emptyBefore));
      row(fillRow("99%-full /16", turns.every(2, 1), batches(fx, "full16") - fullBefore));
      // The probe alone on the 99%-full /16 (no status/event work), for comparison.
      long t0 = System.nanoTime();
      int probes = 200;
      for (int i = 0; i < probes; i++) {
        fx.scalar("SELECT ipam_lowest_free('full16', 4::smallint, free_hint)::bigint FROM ipam_pools WHERE pool = 'full16'");
      }
      row("| probe only (ipam_lowest_free), 99%-full /16 | 1 | " + probes + " | - | "
          + String.format("%.2f", (System.nanoTime() - t0) / 1e6 / probes) + " (mean) | - |");
      // What allocation no longer pays but a watch event's reader does, once per event per process:
      // allocatedIPs of the 99%-full /16 rebuilt at a past revision.
      long at = fx.scalar("SELECT resource_version FROM resources WHERE name = 'full16'") - 50;
      int builds = 20;
      long t1 = System.nanoTime();
      for (int i = 0; i < builds; i++) {
        fx.scalar("SELECT length(allocated_ips) FROM ipam_pool_status_at('full16', $1)", at);
      }
      row("| read side: allocatedIPs at a past revision (`ipam_pool_status_at`), 99%-full /16 | 1 | " + builds
          + " | - | " + String.format("%.2f", (System.nanoTime() - t1) / 1e6 / builds) + " (mean) | - |");
    }

    // Yardstick: pgbench's simple-update transactions on the same server.
    DatabaseUrl pg = recreate(server, "ippool_pgbench");
    pgbench(pg, "-i", "-q", "-s", "10");
    row("");
    row("| pgbench -N (same server) | clients | tps |");
    row("|---|---:|---:|");
    for (int c : CLIENTS) {
      String out = pgbench(pg, "-N", "-c", String.valueOf(c), "-j", String.valueOf(Math.min(c, 2)), "-T", "8");
      Matcher m = Pattern.compile("tps = ([0-9.]+)").matcher(out);
      row("| pgbench -N | " + c + " | " + (m.find() ? m.group(1).replaceAll("\\..*", "") : "?") + " |");
    }
    System.out.println();
    ROWS.forEach(System.out::println);
    System.exit(0);
  }

  private static AddArgs add(int n, String pool) {
    return new AddArgs("bench-" + n, "eth0", "", "bench", "pod-" + n, "uid-" + n, List.of(pool), List.of(), false,
        false);
  }

  /**
   * {@code pools}: a LIKE pattern for the pools used. A committed batch appends one MODIFIED event per pool
   * it changed, so allocations per event is the batch size per pool.
   */
  private static void run(AllocFixture fx, Allocator alloc, String name, int clients, int n,
                          IntFunction<AddArgs> args, String pools) {
    long before = batches(fx, pools);
    Stats s = closedLoop(clients, n, i -> alloc.allocate(args.apply(i)).map(r -> null));
    double perEvent = (double) n / Math.max(1, batches(fx, pools) - before);
    row("| " + name + " | " + clients + " | " + n + " | " + s.rate() + " | " + s.p(50) + " | " + s.p(99) + " | "
        + String.format("%.1f", perEvent) + " |");
  }

  private static String fillRow(String name, Stats s, long events) {
    return "| " + name + " (taking turns) | 1 | " + s.nanos().length + " | " + s.rate() + " | " + s.p(50) + " | "
        + s.p(99) + " | " + String.format("%.1f", (double) s.nanos().length / Math.max(1, events)) + " |";
  }

  private static long batches(AllocFixture fx, String pools) {
    return fx.scalar("SELECT count(*) FROM resource_events WHERE resource = 'spiderippools' AND event_type = 'MODIFIED' "
        + "AND name LIKE $1", pools);
  }

  /** Stats of one closed-loop run. */
  record Stats(long[] nanos, long wallNanos) {
    /** Every k-th request from the first'th on; its wall time is the sum of their latencies (one client). */
    Stats every(int k, int first) {
      long[] picked = IntStream.iterate(first, i -> i < nanos.length, i -> i + k)
          .mapToLong(i -> nanos[i]).toArray();
      return new Stats(picked, Arrays.stream(picked).sum());
    }

    String rate() {
      return String.valueOf(Math.round(nanos.length / (wallNanos / 1e9)));
    }

    String p(int pct) {
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      int idx = Math.min(sorted.length - 1, (int) Math.ceil(pct / 100.0 * sorted.length) - 1);
      return String.format("%.2f", sorted[Math.max(idx, 0)] / 1e6);
    }
  }

  /** {@code clients} loops, each issuing its next request when the previous one answers, n requests in all. */
  static Stats closedLoop(int clients, int n, IntFunction<Future<Void>> op) {
    long[] lat = new long[n];
    AtomicInteger issued = new AtomicInteger();
    AtomicLong failures = new AtomicLong();
    List<Future<Void>> loops = new ArrayList<>();
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      Promise<Void> done = Promise.promise();
      step(op, issued, n, lat, failures, done);
      loops.add(done.future());
    }
    AllocFixture.await(Future.all(loops));
    long wall = System.nanoTime() - start;
    if (failures.get() > 0) {
      // A failed request answers fast: figures with failures in them would flatter.
      throw new IllegalStateException(failures.get() + " of " + n + " requests failed");
    }
    return new Stats(lat, wall);
  }

  private static void step(IntFunction<Future<Void>> op, AtomicInteger issued, int n, long[] lat,
                           AtomicLong failures, Promise<Void> done) {
    int i = issued.getAndIncrement();
    if (i >= n) {
      done.tryComplete();
      return;
    }
    long t = System.nanoTime();
    op.apply(i).onComplete(ar -> {
      lat[i] = System.nanoTime() - t;
      if (ar.failed()) {
        failures.incrementAndGet();
        if (failures.get() == 1) {
          ar.cause().printStackTrace();
        }
      }
      step(op, issued, n, lat, failures, done);
    });
  }

  private static void row(String s) {
    ROWS.add(s);
    System.out.println(s);
  }

  private static DatabaseUrl recreate(DatabaseUrl server, String name) throws Exception {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
         Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + name);
    }
    return new DatabaseUrl(server.host(), server.port(), name, server.user(), server.password(), server.params());
  }

  private static String pgbench(DatabaseUrl db, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("pgbench", "-h", db.host(), "-p", String.valueOf(db.port()),
        "-U", db.user()));
    cmd.addAll(List.of(args));
    cmd.add(db.database());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (db.password() != null) {
      pb.environment().put("PGPASSWORD", db.password());
    }
    Process p = pb.start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
      }
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException("pgbench failed: " + out);
    }
    return out.toString();
  }
}
