package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ippool.api.Json;
import io.ippool.iprange.Ip;
import io.ippool.store.DatabaseUrl;
import io.ippool.testsupport.JarServer;
import io.ippool.testsupport.Kubectl;
import io.ippool.testsupport.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 8's acceptance run, end to end: two packaged server processes on one database; 64 clients, half on
 * each server's IPAM unix socket, make 5,000 allocations from one pool while SpiderReservedIPs are created
 * with kubectl through one of the servers. No address is handed out twice, no address reserved before its
 * request was sent is handed out, and both servers report exact counts; then every address is released
 * through the other server and both report an empty pool.
 */
class TwoServerProcessesIT {
  private static final int TOTAL = 5000;
  private static final int CLIENTS = 64;
  private static final String POOL = """
      apiVersion: spiderpool.spidernet.io/v2beta1
      kind: SpiderIPPool
      metadata:
        name: shared
      spec:
        subnet: 10.20.0.0/16
        ips:
        - 10.20.0.1-10.20.255.254
      """;

  private record Allocated(int client, int n, String address, long sentAt) {
  }

  private record Reserved(String first, String last, long visibleAt) {
    boolean covers(String address) {
      BigInteger a = num(address);
      return a.compareTo(num(first)) >= 0 && a.compareTo(num(last)) <= 0;
    }
  }

  @Test
  void twoProcesses_64Clients_5000Allocations_whileReserving_thenReleasedThroughTheOther() throws Exception {
    Assumptions.assumeTrue(Kubectl.available(), "kubectl is not on the PATH (.ci/run installs it)");
    Assumptions.assumeTrue(JarServer.packaged(), "run after package");
    DatabaseUrl db = TestDatabase.fresh();
    Path dataA = Files.createTempDirectory("ippool-a");
    Path dataB = Files.createTempDirectory("ippool-b");
    Path[] sockets = {dataA.resolve("ipam.sock"), dataB.resolve("ipam.sock")};
    Vertx vertx = Vertx.vertx();
    try (JarServer a = JarServer.start(dataA, "--database-url", db.toUrl(), "--ipam-socket", sockets[0].toString());
         JarServer b = JarServer.start(dataB, "--database-url", db.toUrl(), "--ipam-socket", sockets[1].toString())) {
      Kubectl kubectlA = new Kubectl(a.kubeconfig());
      Kubectl kubectlB = new Kubectl(b.kubeconfig());
      var created = kubectlA.runWithInput(POOL, "apply", "-f", "-");
      assertEquals(0, created.exit(), created.toString());
      // Discovery is cached before the race starts, so each reservation below costs one kubectl round trip.
      assertEquals(0, kubectlB.run("get", "sr").exit());

      HttpClient http = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(CLIENTS));
      Queue<Allocated> allocated = new ConcurrentLinkedQueue<>();
      Queue<String> failures = new ConcurrentLinkedQueue<>();
      List<Reserved> reservations = new ArrayList<>();
      Thread reserver = new Thread(() -> {
        for (int k = 1; k <= 29; k += 2) {
          String first = "10.20." + k + ".100";
          String last = "10.20." + k + ".149";
          var applied = kubectlB.runWithInput("""
              apiVersion: spiderpool.spidernet.io/v2beta1
              kind: SpiderReservedIP
              metadata:
                name: r%d
              spec:
                ips:
                - %s-%s
              """.formatted(k, first, last), "apply", "-f", "-");
          if (applied.exit() != 0) {
            failures.add("reservation r" + k + ": " + applied);
            return;
          }
          synchronized (reservations) {
            reservations.add(new Reserved(first, last, System.nanoTime()));
          }
        }
      });

      AtomicInteger issued = new AtomicInteger();
      List<Future<Void>> clients = new ArrayList<>();
      reserver.start();
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(allocateLoop(http, sockets[c % 2], c, issued, allocated, failures));
      }
      Future.all(clients).toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
      long lastSent = allocated.stream().mapToLong(Allocated::sentAt).max().orElse(0);
      reserver.join(TimeUnit.MINUTES.toMillis(2));
      assertTrue(failures.isEmpty(), failures.toString());

      Set<String> addresses = new HashSet<>();
      allocated.forEach(x -> addresses.add(x.address()));
      assertEquals(TOTAL, allocated.size());
      assertEquals(TOTAL, addresses.size(), "an address was handed out twice");
      assertEquals(15, reservations.size());
      long overlapping = reservations.stream().filter(r -> r.visibleAt() < lastSent).count();
      assertTrue(overlapping > 0, "no reservation landed while allocations were still being sent: nothing was tested");
      List<String> violations = new ArrayList<>();
      for (Reserved r : reservations) {
        for (Allocated x : allocated) {
          if (x.sentAt() > r.visibleAt() && r.covers(x.address())) {
            violations.add(x.address() + " (client " + x.client() + ", request " + x.n() + ") reserved by "
                + r.first() + "-" + r.last() + " before it was asked for");
          }
        }
      }
      assertTrue(violations.isEmpty(), violations.toString());
      assertPoolHolds(kubectlA, addresses);
      assertPoolHolds(kubectlB, addresses);

      // Release everything, each address through the server that did not allocate it.
      List<Allocated> all = new ArrayList<>(allocated);
      AtomicInteger next = new AtomicInteger();
      List<Future<Void>> releasers = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        releasers.add(releaseLoop(http, sockets, next, all, failures));
      }
      Future.all(releasers).toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
      assertTrue(failures.isEmpty(), failures.toString());
      assertPoolHolds(kubectlA, Set.of());
      assertPoolHolds(kubectlB, Set.of());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** One closed-loop client: sends its next ADD when the previous one is answered, until TOTAL are issued. */
  private static Future<Void> allocateLoop(HttpClient http, Path socket, int client, AtomicInteger issued,
                                           Queue<Allocated> out, Queue<String> failures) {
    int n = issued.getAndIncrement();
    if (n >= TOTAL) {
      return Future.succeededFuture();
    }
    String body = "{\"containerID\":\"c-" + n + "\",\"ifName\":\"eth0\",\"netNamespace\":\"/var/run/netns/n" + n
        + "\",\"podNamespace\":\"load\",\"podName\":\"pod-" + n + "\",\"podUID\":\"uid-" + n
        + "\",\"defaultIPv4IPPool\":[\"shared\"]}";
    long sentAt = System.nanoTime();
    return send(http, socket, HttpMethod.POST, body).compose(answer -> {
      if (answer.status() != 200) {
        failures.add("ADD " + n + ": " + answer.status() + " " + answer.body());
      } else {
        JsonNode ip = Json.readObject(answer.body()).path("ips").path(0);
        out.add(new Allocated(client, n, ip.path("address").asText().split("/")[0], sentAt));
      }
      return allocateLoop(http, socket, client, issued, out, failures);
    });
  }

  /** One closed-loop client releasing each address through the server that did not allocate it. */
  private static Future<Void> releaseLoop(HttpClient http, Path[] sockets, AtomicInteger next, List<Allocated> all,
                                          Queue<String> failures) {
    int i = next.getAndIncrement();
    if (i >= all.size()) {
      return Future.succeededFuture();
    }
    Allocated x = all.get(i);
    String body = "{\"containerID\":\"c-" + x.n() + "\",\"ifName\":\"eth0\",\"podNamespace\":\"load\","
        + "\"podName\":\"pod-" + x.n() + "\",\"podUID\":\"uid-" + x.n() + "\"}";
    return send(http, sockets[(x.client() + 1) % 2], HttpMethod.DELETE, body).compose(answer -> {
      if (answer.status() != 200) {
        failures.add("DEL " + x.n() + ": " + answer.status() + " " + answer.body());
      }
      return releaseLoop(http, sockets, next, all, failures);
    });
  }

  private record Answer(int status, String body) {
  }

  private static Future<Answer> send(HttpClient http, Path socket, HttpMethod method, String body) {
    Promise<Answer> done = Promise.promise();
    http.request(new RequestOptions().setServer(SocketAddress.domainSocketAddress(socket.toString()))
            .setMethod(method).setHost("localhost").setURI("/v1/ipam/ip")
            .putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString())))
        .onComplete(done);
    return done.future();
  }

  /** What kubectl shows of the pool through one server: its count, its status map, its printer column. */
  private static void assertPoolHolds(Kubectl kubectl, Set<String> addresses) {
    var got = kubectl.run("get", "sp", "shared", "-o", "json");
    assertEquals(0, got.exit(), got.toString());
    JsonNode status = Json.readObject(got.out()).path("status");
    assertEquals(addresses.size(), status.path("allocatedIPCount").asLong(), got.out());
    Set<String> inStatus = new HashSet<>();
    if (status.has("allocatedIPs")) {
      Json.readObject(status.path("allocatedIPs").asText()).fieldNames().forEachRemaining(inStatus::add);
    }
    assertEquals(addresses, inStatus);
    var row = kubectl.run("get", "sp", "shared", "--no-headers");
    assertEquals(0, row.exit(), row.toString());
    assertTrue(row.out().matches("(?s)shared\\s+4\\s+10\\.20\\.0\\.0/16\\s+" + addresses.size() + "\\s+.*"),
        row.out());
  }

  private static BigInteger num(String address) {
    return Ip.parse(address).value();
  }
}
