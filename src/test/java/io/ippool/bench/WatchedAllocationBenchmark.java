package io.ippool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.ippool.store.allocation.AllocFixture;
import io.ippool.testsupport.JarServer;
import io.ippool.testsupport.Kubectl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Allocation at 32 clients on a pool holding 40,000 addresses, with and without three full-object kubectl
 * watchers (two {@code get sp -w -o json}, one {@code get sp busy -w -o yaml}), against the packaged server as
 * its own process with its zero-config defaults (embedded PostgreSQL), clients on the IPAM unix socket from
 * this process. Also a fresh pool at 32 clients in the same run. A measurement, not a test: nothing asserted.
 * Run with bench/watched-allocation.sh.
 */
public final class WatchedAllocationBenchmark {
  private static final int CLIENTS = 32;
  private static final int MEASURED = 3000;
  private static final AtomicInteger POD = new AtomicInteger();

  private WatchedAllocationBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int fill = Integer.getInteger("fill", 40_000);
    Path dir = Files.createTempDirectory("ippool-watch-bench");
    Path socket = dir.resolve("ipam.sock");
    System.out.println("load before: " + Files.readString(Path.of("/proc/loadavg")).trim());
    try (JarServer server = JarServer.start(dir, "--ipam-socket", socket.toString())) {
      Kubectl kubectl = new Kubectl(server.kubeconfig());
      for (String[] p : List.of(new String[] {"warm", "10.72"}, new String[] {"fresh", "10.71"},
          new String[] {"busy", "10.70"}, new String[] {"other", "10.73"})) {
        Kubectl.Result r = kubectl.runWithInput("apiVersion: spiderpool.spidernet.io/v2beta1\nkind: SpiderIPPool\n"
            + "metadata:\n  name: " + p[0] + "\nspec:\n  subnet: " + p[1] + ".0.0/16\n  ips: [" + p[1] + ".0.1-"
            + p[1] + ".255.254]\n", "apply", "-f", "-");
        if (r.exit() != 0) {
          throw new IllegalStateException(r.toString());
        }
      }
      Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
      HttpClient http = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(64));
      SocketAddress address = SocketAddress.domainSocketAddress(socket.toString());

      AllocationBenchmark.closedLoop(CLIENTS, 2000, i -> add(http, address, "warm"));
      List<String> rows = new ArrayList<>();
      rows.add("| run | pool holds | watchers | allocations | alloc/s | p50 ms | p99 ms | server RSS max MiB "
          + "| watchers' final allocatedIPs exact | last watcher final after |");
      rows.add("|---|---:|---|---:|---:|---:|---:|---:|---|---:|");
      rows.add(row("fresh pool", "0", "none", measure(server, http, address, "fresh"), null));

      long t0 = System.nanoTime();
      for (int done = 0; done < fill; done += 5000) {
        AllocationBenchmark.closedLoop(CLIENTS, Math.min(5000, fill - done), i -> add(http, address, "busy"));
        System.out.printf("filled %d of %d (%.0f s)%n", Math.min(done + 5000, fill), fill, (System.nanoTime() - t0) / 1e9);
      }
      int holds = fill;
      for (int round = 0; round < 2; round++) {
        rows.add(row("no watcher", String.valueOf(holds), "none", measure(server, http, address, "busy"), null));
        holds += MEASURED;
        List<Watcher> watchers = List.of(
            new Watcher(kubectl.start("get", "sp", "-w", "-o", "json"), false),
            new Watcher(kubectl.start("get", "sp", "-w", "-o", "json"), false),
            new Watcher(kubectl.start("get", "sp", "busy", "-w", "-o", "yaml"), true));
        for (Watcher w : watchers) {
          w.awaitStarted();
        }
        Measured m = measure(server, http, address, "busy");
        long end = System.nanoTime();
        String want = finalAllocatedIPs(kubectl);
        boolean exact = true;
        long lastFinal = 0;
        for (Watcher w : watchers) {
          long deadline = System.currentTimeMillis() + 60_000;
          while (!want.equals(w.latest.get("busy")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
          }
          exact &= want.equals(w.latest.get("busy"));
          lastFinal = Math.max(lastFinal, w.finalAt(want) - end);
        }
        watchers.forEach(Watcher::stop);
        rows.add(row("3 full-object watchers", String.valueOf(holds), "2 x -o json, 1 x -o yaml", m,
            (exact ? "yes" : "NO") + " | " + String.format("%.2f s", Math.max(0, lastFinal) / 1e9)));
        holds += MEASURED;
      }
      System.out.println("load after: " + Files.readString(Path.of("/proc/loadavg")).trim());
      System.out.println();
      rows.forEach(System.out::println);
      AllocFixture.await(vertx.close());
    }
    System.exit(0);
  }

  private record Measured(AllocationBenchmark.Stats stats, long rssMaxKb) {
  }

  private static String row(String run, String holds, String watchers, Measured m, String watcherColumns) {
    return "| " + run + " | " + holds + " | " + watchers + " | " + MEASURED + " | " + m.stats.rate() + " | "
        + m.stats.p(50) + " | " + m.stats.p(99) + " | " + m.rssMaxKb / 1024 + " | "
        + (watcherColumns == null ? "- | -" : watcherColumns) + " |";
  }

  /** 3,000 allocations at 32 clients, the server's resident memory sampled every 50 ms meanwhile. */
  private static Measured measure(JarServer server, HttpClient http, SocketAddress address, String pool)
      throws Exception {
    AtomicLong rss = new AtomicLong();
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        rss.accumulateAndGet(rssKb(server.pid()), Math::max);
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.start();
    AllocationBenchmark.Stats s = AllocationBenchmark.closedLoop(CLIENTS, MEASURED, i -> add(http, address, pool));
    Thread.sleep(1000); // the watchers' last states are sent within the coalescing interval
    sampler.interrupt();
    sampler.join();
    return new Measured(s, rss.get());
  }

  private static long rssKb(long pid) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (Exception e) {
      return 0;
    }
    return 0;
  }

  private static String finalAllocatedIPs(Kubectl kubectl) throws Exception {
    Kubectl.Result r = kubectl.run("get", "sp", "busy", "-o", "json");
    return new ObjectMapper().readTree(r.out()).path("status").path("allocatedIPs").asText();
  }

  private static Future<Void> add(HttpClient http, SocketAddress address, String pool) {
    int n = POD.incrementAndGet();
    String body = "{\"containerID\":\"bench-" + n + "\",\"ifName\":\"eth0\",\"netNamespace\":\"/var/run/netns/b" + n
        + "\",\"podNamespace\":\"bench\",\"podName\":\"pod-" + n + "\",\"podUID\":\"uid-" + n
        + "\",\"defaultIPv4IPPool\":[\"" + pool + "\"]}";
    return http.request(new RequestOptions().setServer(address).setMethod(HttpMethod.POST).setHost("localhost")
            .setURI("/v1/ipam/ip").putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() == 200 ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture(resp.statusCode() + " " + b)));
  }

  /** One kubectl watch: its output parsed document by document, keeping each pool's latest allocatedIPs. */
  private static final class Watcher {
    final Process process;
    final Map<String, String> latest = new ConcurrentHashMap<>();
    final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final ObjectMapper mapper;
    private final boolean yaml;
    private volatile int documents;

    Watcher(Process process, boolean yaml) {
      this.process = process;
      this.yaml = yaml;
      this.mapper = yaml ? new YAMLMapper() : new ObjectMapper();
      Thread t = new Thread(this::read);
      t.setDaemon(true);
      t.start();
    }

    private void read() {
      StringBuilder doc = new StringBuilder();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8), 1 << 20)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (yaml && (line.equals("---") || line.startsWith("apiVersion:")) && doc.length() > 0) {
            parse(doc);
          }
          if (!line.equals("---")) {
            doc.append(line).append('\n');
          }
          if (!yaml && line.equals("}")) {
            parse(doc);
          }
          if (yaml && !in.ready() && doc.length() > 0) {
            tryParse(doc);
          }
        }
      } catch (Exception ignored) {
        // kubectl stopped
      }
    }

    private void parse(StringBuilder doc) throws Exception {
      record(mapper.readTree(doc.toString()));
      doc.setLength(0);
    }

    /** A YAML document is only known to be complete when the next one starts; try it while waiting for that. */
    private void tryParse(StringBuilder doc) {
      try {
        record(mapper.readTree(doc.toString()));
      } catch (Exception incomplete) {
        // more lines to come
      }
    }

    private void record(JsonNode n) {
      String name = n.path("metadata").path("name").asText();
      String ips = n.path("status").path("allocatedIPs").asText("");
      latest.put(name, ips);
      firstSeen.putIfAbsent(name + " " + ips.hashCode() + " " + ips.length(), System.nanoTime());
      documents++;
    }

    long finalAt(String want) {
      return firstSeen.getOrDefault("busy " + want.hashCode() + " " + want.length(), Long.MAX_VALUE);
    }

    void awaitStarted() throws InterruptedException {
      long deadline = System.currentTimeMillis() + 60_000;
      while (documents == 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
    }

    void stop() {
      process.destroy();
    }
  }
}
