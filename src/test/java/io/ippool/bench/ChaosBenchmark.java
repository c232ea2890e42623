package io.ippool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.ippool.api.Json;
import io.ippool.iprange.Ip;
import io.ippool.store.DatabaseUrl;
import io.ippool.store.EmbeddedDatabase;
import io.ippool.store.Migrations;
import io.ippool.testsupport.JarServer;
import io.ippool.testsupport.Kubectl;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.PoolOptions;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Chaos benchmark (not a test): two packaged server processes on one PostgreSQL; 32 clients, half on each
 * replica's IPAM unix socket, make 24,000 allocations (every fourth pod released right after) while a
 * SpiderReservedIP is created just ahead of the allocation frontier, one replica is killed with SIGKILL and
 * restarted, and PostgreSQL is stopped and started again on the same data directory and port. Then it checks,
 * from the clients' records and from the database's allocation history: no address held twice at any time,
 * no reserved address handed out by a batch that committed after the reservation, one allocation per pod,
 * exact counts through both replicas, and an empty pool once every pod is released. Exit code 1 if any check
 * fails.
 *
 * <p>PostgreSQL is the embedded server the product ships (zonky binaries, fsync and synchronous commit on),
 * in a temporary directory on a free port, so the run needs nothing installed and leaves nothing behind.
 * Usage: {@code bench/chaos.sh}; JAVA_OPTS {@code -Dallocations=N -Dclients=N}.
 */
public final class ChaosBenchmark {
  private static final int PODS = Integer.getInteger("allocations", 24_000);
  private static final int CLIENTS = Integer.getInteger("clients", 32);
  private static final String POOL_YAML = """
      apiVersion: spiderpool.spidernet.io/v2beta1
      kind: SpiderIPPool
      metadata:
        name: chaos
      spec:
        subnet: 10.30.0.0/16
        ips:
        - 10.30.0.1-10.30.255.254
      """;

  private final Map<String, String> checks = new LinkedHashMap<>();
  private final Map<String, String> figures = new LinkedHashMap<>();
  private boolean failed;

  private ChaosBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("ROOT"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    if (!JarServer.packaged()) {
      throw new IllegalStateException("no " + JarServer.JAR + ": run bench/chaos.sh (it packages the jar)");
    }
    ChaosBenchmark bench = new ChaosBenchmark();
    bench.run();
    System.exit(bench.failed ? 1 : 0);
  }

  private void run() throws Exception {
    Path dir = Files.createTempDirectory("ippool-chaos");
    Path pgData = dir.resolve("pg");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    System.out.println("load before: " + Files.readString(Path.of("/proc/loadavg")).trim() + "; cores: "
        + Runtime.getRuntime().availableProcessors());
    EmbeddedDatabase db = EmbeddedDatabase.start(pgData, port);
    DatabaseUrl url = db.url();
    Migrations.migrate(url);
    figures.put("PostgreSQL", query(url, "SELECT current_setting('server_version') || ', fsync '"
        + " || current_setting('fsync') || ', synchronous_commit ' || current_setting('synchronous_commit')"));
    Path[] data = {dir.resolve("a"), dir.resolve("b")};
    Path[] sockets = {data[0].resolve("ipam.sock"), data[1].resolve("ipam.sock")};
    JarServer[] servers = new JarServer[2];
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      for (int r = 0; r < 2; r++) {
        Files.createDirectories(data[r]);
        servers[r] = startReplica(data[r], url, sockets[r]);
      }
      Kubectl[] kubectl = {new Kubectl(servers[0].kubeconfig()), new Kubectl(servers[1].kubeconfig())};
      must(kubectl[0].runWithInput(POOL_YAML, "apply", "-f", "-"));
      must(kubectl[1].run("get", "sr")); // discovery cached: the reservation below is one round trip

      HttpClient http = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(CLIENTS));
      ChaosClients clients = new ChaosClients(vertx, http, sockets, PODS);
      long t0 = System.nanoTime();
      var all = clients.run(CLIENTS);
      Progress progress = new Progress(clients, t0);
      progress.start();

      // 1. A reservation just ahead of the frontier: the addresses the batches in flight are about to take.
      waitFor(clients::added, PODS / 5);
      Reservation reservation = reserve(kubectl[1], clients);

      // 2. SIGKILL replica a; its clients fail over to b; a is started again on the same data directory.
      waitFor(clients::added, PODS * 2 / 5);
      ProcessHandle victim = ProcessHandle.of(servers[0].pid()).orElseThrow();
      victim.destroyForcibly();
      victim.onExit().get(30, TimeUnit.SECONDS);
      ChaosClients.Mark killed = clients.mark();
      System.out.println("SIGKILL replica a (pid " + servers[0].pid() + "), exited");
      Thread.sleep(2000);
      ChaosClients.Mark restarted = clients.mark();
      servers[0] = startReplica(data[0], url, sockets[0]);
      long kubeconfigMs = (System.nanoTime() - restarted.at) / 1_000_000;
      long aServes = awaitFirstOk(restarted, 0);
      int addedWhenAServes = clients.added();
      figures.put("replica a: restart to kubeconfig written (ready)", kubeconfigMs + " ms");
      figures.put("replica a: restart to first ADD answered on its socket", aServes + " ms");
      figures.put("replica a: kill to first ADD answered on its socket", killed.msTo(0) + " ms");
      figures.put("replica b during a's outage: first ADD after the kill", killed.msTo(1) + " ms");

      // 3. PostgreSQL stopped (fast shutdown: sessions cut) and started again 3 s later on the same data.
      //    The marks are set once the process is gone, so an answer read just before does not count.
      waitFor(clients::added, PODS * 13 / 20);
      db.close();
      ChaosClients.Mark pgDown = clients.mark();
      System.out.println("PostgreSQL stopped");
      Thread.sleep(3000);
      db = EmbeddedDatabase.start(pgData, port);
      ChaosClients.Mark pgUp = clients.mark();
      figures.put("PostgreSQL down (stopped to started again)", (pgUp.at - pgDown.at) / 1_000_000 + " ms");
      System.out.println("PostgreSQL started");
      for (int r = 0; r < 2; r++) {
        long ms = awaitFirstOk(pgUp, r);
        figures.put("replica " + "ab".charAt(r) + ": PostgreSQL back to first ADD answered", ms + " ms");
        figures.put("replica " + "ab".charAt(r) + ": PostgreSQL stopped to first ADD answered",
            pgDown.msTo(r) + " ms");
      }

      all.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
      progress.interrupt();
      long wall = System.nanoTime() - t0;
      figures.put("ADD/s, both replicas up (start to kill)", rate(killed.addedAt, killed.at - t0));
      figures.put("ADD/s, replica a down or starting (kill to a serving again)",
          rate(addedWhenAServes - killed.addedAt, TimeUnit.MILLISECONDS.toNanos(Math.max(killed.msTo(0), 1))));
      figures.put("allocations (pods given an address)", String.format("%,d", clients.added()));
      figures.put("releases during the run", String.format("%,d", clients.released()));
      figures.put("wall time of the allocation phase", String.format("%.1f s (%.0f ADD/s incl. outages)",
          wall / 1e9, clients.added() / (wall / 1e9)));
      figures.put("ADDs served by the other replica after a failed attempt", String.valueOf(clients.failovers()));
      figures.put("failed attempts (retried)", String.valueOf(clients.errorCount()));

      check("no client gave up (every ADD and DEL succeeded within 120 s of retries)",
          clients.gaveUp().isEmpty(), clients.gaveUp().size() + " gave up: " + first(clients.gaveUp()));
      check("0 duplicates among the clients' held addresses", clients.duplicates().isEmpty(),
          clients.duplicates().size() + " duplicates: " + first(clients.duplicates()));
      checkHistory(url, clients);
      checkReservation(url, reservation);
      Set<String> held = new HashSet<>(clients.held().keySet());
      checkCounts("before release", url, kubectl, held);

      clients.releaseAll(CLIENTS).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
      check("every release succeeded", clients.gaveUp().isEmpty(), first(clients.gaveUp()));
      checkCounts("after every pod's DEL", url, kubectl, Set.of());
      long events = Long.parseLong(query(url, "SELECT count(*) FILTER (WHERE action = 'allocate') - count(*) "
          + "FILTER (WHERE action = 'release') FROM ipam_allocation_events WHERE pool = 'chaos'"));
      check("history: as many releases as allocations", events == 0, events + " more allocations than releases");
      for (int r = 0; r < 2; r++) {
        Kubectl.Result ready = kubectl[r].run("get", "--raw", "/readyz");
        check("replica " + "ab".charAt(r) + " ready at the end", ready.exit() == 0, ready.toString());
      }
      report(clients);
    } finally {
      for (JarServer s : servers) {
        if (s != null) {
          s.close();
        }
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      db.close();
      Path logs = Files.createDirectories(Path.of("target", "chaos"));
      for (int r = 0; r < 2; r++) {
        Path log = data[r].resolve("server.log");
        if (Files.exists(log)) {
          Files.copy(log, logs.resolve("server-" + "ab".charAt(r) + ".log"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      System.out.println("replicas' logs: " + logs.toAbsolutePath());
      deleteTree(dir);
    }
  }

  private record Reservation(String first, String last, long resourceVersion, String warnings) {
  }

  /** 256 addresses right above the highest one a client holds, created through replica b. */
  private Reservation reserve(Kubectl kubectl, ChaosClients clients) {
    BigInteger top = clients.given().values().stream().map(a -> Ip.parse(a).value()).max(BigInteger::compareTo)
        .orElseThrow();
    String first = new Ip(4, top.add(BigInteger.ONE)).toString();
    String last = new Ip(4, top.add(BigInteger.valueOf(256))).toString();
    Kubectl.Result created = kubectl.runWithInput("""
        apiVersion: spiderpool.spidernet.io/v2beta1
        kind: SpiderReservedIP
        metadata:
          name: mid-run
        spec:
          ips:
          - %s-%s
        """.formatted(first, last), "create", "-f", "-", "-o", "json");
    must(created);
    long rv = Long.parseLong(Json.readObject(created.out()).path("metadata").path("resourceVersion").asText());
    System.out.printf("reserved %s-%s at resourceVersion %d after %,d allocations; kubectl said: %s%n", first, last,
        rv, clients.added(), created.err().isBlank() ? "(no warning)" : created.err().trim());
    figures.put("reservation", first + "-" + last + " (256 addresses above the highest held), resourceVersion "
        + rv + ", created after " + clients.added() + " allocations");
    return new Reservation(first, last, rv, created.err());
  }

  /**
   * From the allocation history: each pod was given exactly one address, the one its client was told; an
   * address alternates allocate, release, allocate... in commit order, so no two pods ever held it at once.
   */
  private void checkHistory(DatabaseUrl url, ChaosClients clients) throws Exception {
    Map<String, String> dbGiven = new java.util.HashMap<>();
    long allocateEvents = 0;
    try (Connection c = connect(url); PreparedStatement st = c.prepareStatement(
        "SELECT container_id, host(address) FROM ipam_allocation_events WHERE pool = 'chaos' AND action = 'allocate'")) {
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          allocateEvents++;
          dbGiven.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    List<String> mismatched = new ArrayList<>();
    clients.given().forEach((n, address) -> {
      if (!address.equals(dbGiven.get("chaos-c-" + n))) {
        mismatched.add("pod-" + n + ": client " + address + ", history " + dbGiven.get("chaos-c-" + n));
      }
    });
    check("history: one allocate event per pod (" + PODS + ")", allocateEvents == PODS && dbGiven.size() == PODS,
        allocateEvents + " allocate events for " + dbGiven.size() + " containers");
    check("history: each pod's address is the one its client was told", mismatched.isEmpty(), first(mismatched));
    String overlaps = query(url, """
        SELECT count(*) FROM (
          SELECT action, lag(action) OVER (PARTITION BY address ORDER BY revision, id) AS before
            FROM ipam_allocation_events WHERE pool = 'chaos') x
         WHERE action = before OR (before IS NULL AND action = 'release')""");
    check("history: 0 addresses allocated again before their release (0 duplicates in commit order)",
        "0".equals(overlaps), overlaps + " out-of-order allocate/release pairs");
  }

  /**
   * A batch that committed after the reservation has a higher resourceVersion stamp: none of those may hold
   * an address in it. Batches that committed before it may (they are the holders its warning names).
   */
  private void checkReservation(DatabaseUrl url, Reservation r) throws Exception {
    String where = "e.pool = 'chaos' AND e.action = 'allocate' AND e.address BETWEEN inet '" + r.first()
        + "' AND inet '" + r.last() + "'";
    String after = query(url, "SELECT count(*) FROM ipam_allocation_events e WHERE " + where + " AND e.revision > "
        + r.resourceVersion());
    String before = query(url, "SELECT count(*) FROM ipam_allocation_events e WHERE " + where + " AND e.revision < "
        + r.resourceVersion());
    String later = query(url, "SELECT count(*) FROM ipam_allocation_events WHERE pool = 'chaos' "
        + "AND action = 'allocate' AND revision > " + r.resourceVersion());
    List<String> holders = new ArrayList<>();
    try (Connection c = connect(url); PreparedStatement st = c.prepareStatement(
        // Held when the reservation committed: allocated before it and not yet released then.
        "SELECT e.pod_name FROM ipam_allocation_events e WHERE " + where + " AND e.revision < ? AND NOT EXISTS "
            + "(SELECT 1 FROM ipam_allocation_events x WHERE x.action = 'release' AND x.pool = 'chaos' "
            + "AND x.container_id = e.container_id AND x.revision < ?)")) {
      st.setLong(1, r.resourceVersion());
      st.setLong(2, r.resourceVersion());
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          holders.add(rs.getString(1));
        }
      }
    }
    long named = holders.stream().filter(p -> r.warnings().contains("/" + p + ")")).count();
    java.util.regex.Matcher more = java.util.regex.Pattern.compile("and (\\d+) more").matcher(r.warnings());
    long counted = named + (more.find() ? Long.parseLong(more.group(1)) : 0);
    figures.put("reserved addresses given by batches that committed before the reservation", before
        + " (held when it committed: " + holders.size() + "; kubectl's warning names " + named
        + " and counts " + counted + ")");
    figures.put("allocations committed after the reservation (anywhere in the pool)", later);
    check("0 reserved addresses handed out by a batch that committed after the reservation", "0".equals(after),
        after + " allocations with revision > " + r.resourceVersion() + " inside " + r.first() + "-" + r.last());
    check("the reservation landed mid-run (allocations committed after it)", Long.parseLong(later) > 0,
        "nothing was allocated after it: nothing was tested");
    // The warning names the first 20 holders and counts the rest (it travels in an HTTP header).
    check("kubectl's warning accounts for every pod that held a reserved address", counted >= holders.size(),
        counted + " counted for " + holders.size() + " holders: " + r.warnings());
  }

  /** The database, and kubectl through each replica, agree with what the clients hold. */
  private void checkCounts(String when, DatabaseUrl url, Kubectl[] kubectl, Set<String> held) throws Exception {
    Set<String> inDb = new HashSet<>();
    try (Connection c = connect(url); PreparedStatement st = c.prepareStatement(
        "SELECT host(address) FROM ipam_allocations WHERE pool = 'chaos'");
         ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        inDb.add(rs.getString(1));
      }
    }
    check(when + ": database holds exactly the clients' " + held.size() + " addresses", inDb.equals(held),
        inDb.size() + " in the database");
    for (int r = 0; r < 2; r++) {
      Kubectl.Result got = kubectl[r].run("get", "sp", "chaos", "-o", "json");
      JsonNode status = got.exit() == 0 ? Json.readObject(got.out()).path("status") : null;
      Set<String> shown = new HashSet<>();
      if (status != null && status.hasNonNull("allocatedIPs")) {
        Json.readObject(status.path("allocatedIPs").asText()).fieldNames().forEachRemaining(shown::add);
      }
      long count = status == null ? -1 : status.path("allocatedIPCount").asLong(-1);
      check(when + ": kubectl get sp through replica " + "ab".charAt(r) + " shows allocatedIPCount " + held.size()
              + " and the same allocatedIPs", count == held.size() && shown.equals(held),
          "allocatedIPCount " + count + ", " + shown.size() + " in allocatedIPs; " + got.err());
    }
  }

  private JarServer startReplica(Path data, DatabaseUrl url, Path socket) throws Exception {
    return JarServer.start(data, "--database-url", url.toUrl(), "--ipam-socket", socket.toString());
  }

  /** Milliseconds from the mark to the first ADD answered through socket s (waits up to 2 minutes). */
  private static long awaitFirstOk(ChaosClients.Mark mark, int s) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (mark.firstOk.get(s) == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return mark.msTo(s);
  }

  private static void waitFor(IntSupplier done, int target) throws InterruptedException {
    while (done.getAsInt() < target) {
      Thread.sleep(5);
    }
  }

  private void check(String what, boolean ok, String detail) {
    checks.put(what, ok ? "PASS" : "FAIL: " + detail);
    failed |= !ok;
    System.out.println((ok ? "PASS " : "FAIL ") + what + (ok ? "" : ": " + detail));
  }

  private void report(ChaosClients clients) throws Exception {
    System.out.println("load after: " + Files.readString(Path.of("/proc/loadavg")).trim());
    System.out.println();
    System.out.println("| figure | value |");
    System.out.println("|---|---|");
    figures.forEach((k, v) -> System.out.println("| " + k + " | " + v + " |"));
    System.out.println();
    System.out.println("| failed attempt (each retried) | count |");
    System.out.println("|---|---:|");
    clients.errors().forEach((k, v) -> System.out.println("| " + k.replace("|", "\\|") + " | " + v + " |"));
    System.out.println();
    System.out.println("| check | result |");
    System.out.println("|---|---|");
    checks.forEach((k, v) -> System.out.println("| " + k + " | " + v + " |"));
    System.out.println(failed ? "\nSOME CHECKS FAILED" : "\nALL CHECKS PASSED");
  }

  private static String rate(long n, long nanos) {
    return String.format("%.0f", n / (nanos / 1e9));
  }

  private static void must(Kubectl.Result r) {
    if (r.exit() != 0) {
      throw new IllegalStateException(r.toString());
    }
  }

  private static String first(java.util.Collection<String> items) {
    return items.stream().limit(5).toList().toString();
  }

  private static Connection connect(DatabaseUrl url) throws Exception {
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }

  private static String query(DatabaseUrl url, String sql) throws Exception {
    try (Connection c = connect(url); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** A line every 2 s: allocations, releases, failed attempts. */
  private static final class Progress extends Thread {
    private final ChaosClients clients;
    private final long t0;

    Progress(ChaosClients clients, long t0) {
      this.clients = clients;
      this.t0 = t0;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        while (!isInterrupted()) {
          Thread.sleep(2000);
          System.out.printf("%5.1f s  allocated %,d  released %,d  failed attempts %,d%n",
              (System.nanoTime() - t0) / 1e9, clients.added(), clients.released(), clients.errorCount());
        }
      } catch (InterruptedException e) {
        // stopped
      }
    }
  }
}
