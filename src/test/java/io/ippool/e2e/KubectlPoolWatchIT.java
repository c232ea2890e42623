package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.Kubectl;
import io.ippool.testsupport.TestServer;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real kubectl watches of pools with full objects ({@code -o json} of every pool, {@code -o yaml} of one) while
 * concurrent allocations change a pool: each sees resourceVersions only go up, and ends with the pool's exact
 * final allocatedIPs (coalescing may skip intermediate states, never the last one).
 */
class KubectlPoolWatchIT {
  private static final String POOLS = "/apis/spiderpool.spidernet.io/v2beta1/spiderippools";
  private static TestServer server;
  private static ApiClient api;
  private static Kubectl kubectl;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(Kubectl.available(), "kubectl is not on the PATH (.ci/run installs it)");
    server = TestServer.start();
    api = ApiClient.admin(server);
    kubectl = new Kubectl(server.kubeconfig());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void jsonAndYamlWatchers_endWithTheExactFinalAllocatedIPs() throws Exception {
    assertEquals(201, api.post(POOLS, "application/json", "{\"metadata\":{\"name\":\"watched\"},\"spec\":{\"subnet\":"
        + "\"10.77.0.0/20\",\"ips\":[\"10.77.0.1-10.77.15.254\"]}}").code());
    assertEquals(201, api.post(POOLS, "application/json", "{\"metadata\":{\"name\":\"other\"},\"spec\":{\"subnet\":"
        + "\"10.78.0.0/24\",\"ips\":[\"10.78.0.1-10.78.0.200\"]}}").code());
    for (int i = 0; i < 100; i++) {
      assertEquals(200, AllocationApiIT.add(api, "pre-" + i, "pre-" + i, "watched").code());
    }

    Process all = kubectl.start("get", "sp", "-w", "-o", "json");
    Process one = kubectl.start("get", "sp", "watched", "-w", "-o", "yaml");
    Output allOut = new Output(all.getInputStream(), new ObjectMapper());
    Output oneOut = new Output(one.getInputStream(), new YAMLMapper());
    try {
      awaitFirst(allOut, 2, all);
      awaitFirst(oneOut, 1, one);
      ExecutorService clients = Executors.newFixedThreadPool(16);
      List<Future<Integer>> done = new ArrayList<>();
      for (int c = 0; c < 16; c++) {
        int client = c;
        done.add(clients.submit(() -> {
          for (int i = 0; i < 25; i++) {
            String pod = "w" + client + "-" + i;
            assertEquals(200, AllocationApiIT.add(api, pod, pod, "watched").code());
            if (i % 5 == 4) {
              String pre = "pre-" + (client * 5 + i / 5);
              assertEquals(200, api.send("DELETE", "/v1/ipam/ip", "application/json", "{\"containerID\":\"" + pre
                  + "\",\"ifName\":\"eth0\",\"podNamespace\":\"default\",\"podName\":\"" + pre
                  + "\",\"podUID\":\"uid-" + pre + "\"}", null).code());
            }
          }
          return 0;
        }));
      }
      for (Future<Integer> f : done) {
        f.get();
      }
      clients.shutdown();
      JsonNode finalPool = api.get(POOLS + "/watched").json();
      String want = finalPool.path("status").path("allocatedIPs").asText();
      assertEquals(100 + 400 - 80, finalPool.path("status").path("allocatedIPCount").asInt());

      long deadline = System.currentTimeMillis() + 15_000;
      while (!(want.equals(latest(allOut.documents(), "watched")) && want.equals(latest(oneOut.documents(), "watched")))
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      List<JsonNode> allSeen = allOut.documents();
      List<JsonNode> oneSeen = oneOut.documents();
      assertEquals(want, latest(allSeen, "watched"), "kubectl get sp -w -o json: final allocatedIPs");
      assertEquals(want, latest(oneSeen, "watched"), "kubectl get sp watched -w -o yaml: final allocatedIPs");
      assertEquals(finalPool.path("metadata").path("resourceVersion").asText(),
          lastOf(oneSeen, "watched").path("metadata").path("resourceVersion").asText());
      assertAscending(allSeen, 2);
      assertAscending(oneSeen, 1);
    } finally {
      all.destroy();
      one.destroy();
    }
  }

  /** What kubectl prints, collected on a background thread and parsed on demand (complete documents only). */
  private static final class Output {
    private final StringBuffer text = new StringBuffer();
    private final ObjectMapper mapper;

    Output(InputStream out, ObjectMapper mapper) {
      this.mapper = mapper;
      Thread t = new Thread(() -> {
        byte[] buf = new byte[65536];
        try {
          for (int n = out.read(buf); n >= 0; n = out.read(buf)) {
            text.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
          }
        } catch (java.io.IOException ignored) {
          // kubectl ended
        }
      });
      t.setDaemon(true);
      t.start();
    }

    List<JsonNode> documents() {
      List<JsonNode> docs = new ArrayList<>();
      try (MappingIterator<JsonNode> it = mapper.readerFor(JsonNode.class).readValues(text.toString())) {
        while (it.hasNext()) {
          JsonNode n = it.next();
          if (n != null && n.isObject()) {
            docs.add(n);
          }
        }
      } catch (Exception incompleteLastDocument) {
        // kubectl is still printing it
      }
      return docs;
    }
  }

  private static void awaitFirst(Output out, int n, Process p) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (out.documents().size() < n && System.currentTimeMillis() < deadline && p.isAlive()) {
      Thread.sleep(50);
    }
    if (out.documents().size() < n) {
      InputStream err = p.getErrorStream();
      String msg = new String(err.readNBytes(err.available()), java.nio.charset.StandardCharsets.UTF_8);
      p.destroy();
      throw new AssertionError("kubectl printed " + out.documents().size() + " initial objects; alive " + p.isAlive()
          + "; stderr: " + msg);
    }
  }

  private static JsonNode lastOf(List<JsonNode> seen, String name) {
    JsonNode last = null;
    for (JsonNode n : seen) {
      if (name.equals(n.path("metadata").path("name").asText())) {
        last = n;
      }
    }
    return last;
  }

  private static String latest(List<JsonNode> seen, String name) {
    JsonNode last = lastOf(seen, name);
    return last == null ? null : last.path("status").path("allocatedIPs").asText(null);
  }

  /** After the {@code initial} objects of the list, each event's resourceVersion is above everything before it. */
  private static void assertAscending(List<JsonNode> seen, int initial) {
    long prev = 0;
    for (int i = 0; i < seen.size(); i++) {
      long rv = seen.get(i).path("metadata").path("resourceVersion").asLong();
      if (i >= initial) {
        assertTrue(rv > prev, "resourceVersion " + rv + " after " + prev);
      }
      prev = Math.max(prev, rv);
    }
  }
}
