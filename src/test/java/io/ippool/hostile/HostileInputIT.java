package io.ippool.hostile;

import static io.ippool.hostile.RawHttp.request;
import static io.ippool.hostile.RawHttp.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.hostile.RawHttp.Reply;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.TestDatabase;
import io.ippool.testsupport.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Hostile input, one request per class, over the HTTPS API and the IPAM unix socket of one server (loopback
 * and a socket in a temp directory only), while 16 clients keep allocating and releasing good addresses.
 * Each class must get its status; after each the server must still be ready; every good request must
 * succeed. Bounded: about 60 requests plus 400 good ones, one slow client held for the header timeout.
 */
class HostileInputIT {
  private static final String POOLS = "/apis/spiderpool.spidernet.io/v2beta1/spiderippools";
  private static final long TIMEOUT_MS = 20_000;

  private record Case(String name, boolean ipam, byte[] request, int status) {
  }

  private static String pool(String name, String metadataExtra, String specExtra) {
    return "{\"apiVersion\":\"spiderpool.spidernet.io/v2beta1\",\"kind\":\"SpiderIPPool\",\"metadata\":{\"name\":\""
        + name + "\"" + metadataExtra + "},\"spec\":{\"subnet\":\"10.90.0.0/16\"" + specExtra + "}}";
  }

  private static byte[] json(String method, String path, String body) {
    return request(method, path, "application/json", utf8(body));
  }

  private static String add(String container, String ifName, String ns, String pod, String uid) {
    return "{\"containerID\":\"" + container + "\",\"ifName\":\"" + ifName + "\",\"netNamespace\":\"/proc/1/ns/net\","
        + "\"podNamespace\":\"" + ns + "\",\"podName\":\"" + pod + "\",\"podUID\":\"" + uid + "\","
        + "\"defaultIPv4IPPool\":[\"good\"]}";
  }

  private static String goodAdd(String c) {
    return add(c, "eth0", "load", c, "uid-" + c);
  }

  private static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    // ---- HTTPS API: bodies
    c.add(new Case("NUL in an annotation value", false,
        json("POST", POOLS, pool("h1", ",\"annotations\":{\"a\":\"x\\u0000y\"}", "")), 422));
    c.add(new Case("NUL in the name", false, json("POST", POOLS, pool("h\\u00002", "", "")), 422));
    c.add(new Case("NUL in a label key", false, json("POST", POOLS, pool("h3", ",\"labels\":{\"a\\u0000\":\"b\"}", "")), 422));
    c.add(new Case("NUL in a spec string", false, json("POST", POOLS, pool("h4", "", ",\"gateway\":\"10.90.0.1\\u0000\"")), 422));
    c.add(new Case("annotation value is an array", false,
        json("POST", POOLS, pool("h5", ",\"annotations\":{\"a\":[\"x\"]}", "")), 400));
    c.add(new Case("annotation value is a number", false,
        json("POST", POOLS, pool("h6", ",\"annotations\":{\"a\":1}", "")), 400));
    c.add(new Case("label value is an object", false,
        json("POST", POOLS, pool("h7", ",\"labels\":{\"a\":{\"b\":\"c\"}}", "")), 400));
    c.add(new Case("name is a number", false, json("POST", POOLS,
        "{\"metadata\":{\"name\":12345},\"spec\":{\"subnet\":\"10.90.0.0/16\"}}"), 400));
    c.add(new Case("finalizers hold numbers", false, json("POST", POOLS, pool("h9", ",\"finalizers\":[1]", "")), 400));
    c.add(new Case("metadata is a string", false, json("POST", POOLS, "{\"metadata\":\"x\"}"), 400));
    c.add(new Case("body is not JSON", false, json("POST", POOLS, "{nope"), 400));
    c.add(new Case("body is a JSON array", false, json("POST", POOLS, "[1,2]"), 400));
    c.add(new Case("empty body", false, json("POST", POOLS, ""), 400));
    // kube-apiserver reads a body without a Content-Type as its first media type, JSON.
    c.add(new Case("body without Content-Type is read as JSON", false,
        request("POST", POOLS, null, utf8(pool("h10", "", ""))), 201));
    c.add(new Case("text/plain body", false, request("POST", POOLS, "text/plain", utf8(pool("h11", "", ""))), 415));
    c.add(new Case("strategic merge patch", false,
        request("PATCH", POOLS + "/x", "application/strategic-merge-patch+json", utf8("{}")), 415));
    c.add(new Case("duplicate key under Strict", false,
        json("POST", POOLS + "?fieldValidation=Strict", pool("h12", ",\"name\":\"h12\"", "")), 400));
    c.add(new Case("unknown field under Strict", false,
        json("POST", POOLS + "?fieldValidation=Strict", pool("h13", "", ",\"bogus\":1")), 400));
    c.add(new Case("JSON nested 100,000 deep", false,
        json("POST", POOLS, "[".repeat(100_000) + "]".repeat(100_000)), 400));
    c.add(new Case("body over the size limit", false,
        json("POST", POOLS, pool("h14", ",\"annotations\":{\"a\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}", "")), 413));
    c.add(new Case("wrong apiVersion", false, json("POST", POOLS,
        "{\"apiVersion\":\"v9\",\"kind\":\"SpiderIPPool\",\"metadata\":{\"name\":\"h15\"}}"), 400));
    c.add(new Case("wrong kind", false, json("POST", POOLS,
        "{\"apiVersion\":\"spiderpool.spidernet.io/v2beta1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"h16\"}}"), 400));
    c.add(new Case("invalid UTF-8 in the body", false, request("POST", POOLS, "application/json",
        concat(utf8("{\"metadata\":{\"name\":\"h17\",\"annotations\":{\"a\":\""), new byte[] {(byte) 0xC3, (byte) 0x28},
            utf8("\"}},\"spec\":{\"subnet\":\"10.90.0.0/16\"}}"))), 400));
    c.add(new Case("name of 300 characters", false, json("POST", POOLS, pool("a".repeat(300), "", "")), 422));
    c.add(new Case("name does not match the URL", false, json("PUT", POOLS + "/other", pool("h18", "", "")), 400));
    c.add(new Case("malformed merge patch", false,
        request("PATCH", POOLS + "/x", "application/merge-patch+json", utf8("{nope")), 400));
    // ---- HTTPS API: URLs and headers
    c.add(new Case("invalid percent-encoding in the path", false, request("GET", POOLS + "/%zz", null, null), 400));
    c.add(new Case("invalid percent-encoding in the query", false,
        request("GET", POOLS + "?labelSelector=%zz", null, null), 400));
    c.add(new Case("NUL in the name in the URL", false, request("GET", POOLS + "/a%00b", null, null), 404));
    c.add(new Case("malformed labelSelector", false, request("GET", POOLS + "?labelSelector=a%20in%20(", null, null), 400));
    c.add(new Case("unsupported fieldSelector", false, request("GET", POOLS + "?fieldSelector=spec.x%3D1", null, null), 400));
    c.add(new Case("non-numeric resourceVersion", false, request("GET", POOLS + "?resourceVersion=abc", null, null), 400));
    c.add(new Case("garbage continue token", false, request("GET", POOLS + "?limit=1&continue=%21%21", null, null), 400));
    c.add(new Case("watch from a non-numeric resourceVersion", false,
        request("GET", POOLS + "?watch=true&resourceVersion=x", null, null), 422));
    c.add(new Case("IPAM: invalid percent-encoding", true, request("GET", "/v1/ipam/healthy?x=%G1", null, null), 400));
    c.add(new Case("garbage request line", false, utf8("HELLO\u0001 / FOO\r\n\r\n"), 400));
    c.add(new Case("header over 64 KiB", false, request("GET", POOLS, null, null, "X-Big: " + "x".repeat(70_000)), 431));
    // ---- IPAM socket
    c.add(new Case("IPAM: NUL in containerID", true, json("POST", "/v1/ipam/ip", add("c\\u0000x", "eth0", "load", "p", "u")), 422));
    c.add(new Case("IPAM: containerID of 3,000 bytes", true,
        json("POST", "/v1/ipam/ip", add("c".repeat(3000), "eth0", "load", "p", "u")), 422));
    c.add(new Case("IPAM: empty ifName", true, json("POST", "/v1/ipam/ip", add("c1", "", "load", "p", "u")), 422));
    c.add(new Case("IPAM: ifName of 16 characters", true,
        json("POST", "/v1/ipam/ip", add("c1", "e".repeat(16), "load", "p", "u")), 422));
    c.add(new Case("IPAM: ifName with a slash", true, json("POST", "/v1/ipam/ip", add("c1", "a/b", "load", "p", "u")), 422));
    c.add(new Case("IPAM: pod name not a DNS subdomain", true,
        json("POST", "/v1/ipam/ip", add("c1", "eth0", "load", "Pod_X", "u")), 422));
    c.add(new Case("IPAM: namespace of 64 characters", true,
        json("POST", "/v1/ipam/ip", add("c1", "eth0", "n".repeat(64), "p", "u")), 422));
    c.add(new Case("IPAM: podUID of 200 characters", true,
        json("POST", "/v1/ipam/ip", add("c1", "eth0", "load", "p", "u".repeat(200))), 422));
    c.add(new Case("IPAM: control character in netNamespace", true, json("POST", "/v1/ipam/ip",
        add("c1", "eth0", "load", "p", "u").replace("/proc/1/ns/net", "/proc/\\u0007")), 422));
    c.add(new Case("IPAM: NUL in a default pool name", true, json("POST", "/v1/ipam/ip",
        add("c1", "eth0", "load", "p", "u").replace("[\"good\"]", "[\"go\\u0000od\"]")), 422));
    c.add(new Case("IPAM: containerID is a number", true, json("POST", "/v1/ipam/ip",
        "{\"containerID\":1,\"ifName\":\"eth0\",\"netNamespace\":\"\",\"podNamespace\":\"a\",\"podName\":\"b\",\"podUID\":\"c\"}"), 422));
    c.add(new Case("IPAM: required field missing", true, json("POST", "/v1/ipam/ip", "{\"ifName\":\"eth0\"}"), 422));
    c.add(new Case("IPAM: invalid UTF-8", true, request("POST", "/v1/ipam/ip", "application/json",
        concat(utf8("{\"containerID\":\""), new byte[] {(byte) 0xFF, (byte) 0xFE}, utf8("\"}"))), 400));
    c.add(new Case("IPAM: body is not JSON", true, json("POST", "/v1/ipam/ip", "{nope"), 400));
    c.add(new Case("IPAM: body is a JSON array", true, json("POST", "/v1/ipam/ip", "[]"), 400));
    c.add(new Case("IPAM: no Content-Type", true, request("POST", "/v1/ipam/ip", null, utf8(goodAdd("nct"))), 415));
    c.add(new Case("IPAM: text/plain", true, request("POST", "/v1/ipam/ip", "text/plain", utf8(goodAdd("txt"))), 415));
    c.add(new Case("IPAM: body over 1 MiB", true, json("POST", "/v1/ipam/ip",
        add("c1", "eth0", "load", "p", "u").replace("/proc/1/ns/net", "x".repeat(2 << 20))), 413));
    c.add(new Case("IPAM: DEL with NUL in containerID", true, json("DELETE", "/v1/ipam/ip",
        "{\"containerID\":\"a\\u0000\",\"ifName\":\"eth0\",\"podNamespace\":\"a\",\"podName\":\"b\",\"podUID\":\"c\"}"), 422));
    c.add(new Case("IPAM: pod-wide DEL with an invalid pod name", true, json("DELETE", "/v1/ipam/ips",
        "{\"containerID\":\"a\",\"podNamespace\":\"a\",\"podName\":\"B B\",\"podUID\":\"c\"}"), 422));
    c.add(new Case("IPAM: another pod's container ID", true,
        json("POST", "/v1/ipam/ip", add("victim", "eth0", "load", "thief", "uid-thief")), 500));
    return c;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Test
  void everyHostileClassGetsItsStatus_serverStaysReady_goodRequestsAllSucceed() throws Exception {
    Path dir = Files.createTempDirectory("ippool-hostile");
    Path socket = dir.resolve("ipam.sock");
    try (TestServer server = TestServer.start(TestDatabase.fresh(), socket)) {
      ApiClient api = ApiClient.admin(server);
      assertEquals(201, api.post(POOLS, "application/json", "{\"metadata\":{\"name\":\"good\"},\"spec\":{"
          + "\"subnet\":\"10.91.0.0/16\",\"ips\":[\"10.91.0.1-10.91.3.254\"]}}").code());
      Reply victim = RawHttp.overUnix(socket, json("POST", "/v1/ipam/ip", goodAdd("victim")), TIMEOUT_MS);
      assertEquals(200, victim.status(), victim.body());

      // Good traffic all along: 16 clients, 25 ADD+DEL each, over the IPAM socket.
      ExecutorService good = Executors.newFixedThreadPool(16);
      AtomicInteger goodFailures = new AtomicInteger();
      List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<Future<?>> clients = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int client = t;
        clients.add(good.submit(() -> {
          for (int i = 0; i < 25; i++) {
            String c = "good-" + client + "-" + i;
            try {
              Reply a = RawHttp.overUnix(socket, json("POST", "/v1/ipam/ip", goodAdd(c)), TIMEOUT_MS);
              Reply d = RawHttp.overUnix(socket, json("DELETE", "/v1/ipam/ip", goodAdd(c)), TIMEOUT_MS);
              if (a.status() != 200 || d.status() != 200) {
                goodFailures.incrementAndGet();
                failures.add(c + ": " + a.status() + " " + a.body() + " / " + d.status() + " " + d.body());
              }
            } catch (Exception e) {
              goodFailures.incrementAndGet();
              failures.add(c + ": " + e);
            }
          }
        }));
      }

      List<String> wrong = new ArrayList<>();
      List<Case> all = cases();
      for (Case k : all) {
        Reply r;
        try {
          r = k.ipam() ? RawHttp.overUnix(socket, k.request(), TIMEOUT_MS)
              : RawHttp.overTls(api.ssl(), server.port(), k.request(), TIMEOUT_MS);
        } catch (Exception e) {
          wrong.add(k.name() + ": no complete answer: " + e);
          continue;
        }
        if (r.status() != k.status()) {
          wrong.add(k.name() + ": expected " + k.status() + ", got " + r.status() + " " + first(r.body()));
        }
        if (r.body().contains("ERROR:") || r.body().contains("SQLSTATE") || r.body().contains("PgException")) {
          wrong.add(k.name() + ": the answer carries database text: " + first(r.body()));
        }
        ApiClient.Response ready = api.get("/readyz");
        if (ready.code() != 200) {
          wrong.add(k.name() + ": server not ready afterwards: " + ready.body());
        }
      }

      // A client that never finishes its headers is cut off by the header timeout, and nothing else.
      long started = System.nanoTime();
      Reply slow = RawHttp.overTls(api.ssl(), server.port(),
          utf8("GET " + POOLS + " HTTP/1.1\r\nHost: localhost\r\nX-Slow: "), TIMEOUT_MS);
      long heldMs = (System.nanoTime() - started) / 1_000_000;
      if (slow.status() != 0 && slow.status() != 408) {
        wrong.add("slow headers: expected the connection closed, got " + slow.status());
      }

      for (Future<?> f : clients) {
        f.get(5, TimeUnit.MINUTES);
      }
      good.shutdown();
      assertTrue(all.size() >= 40, "classes: " + all.size());
      assertTrue(wrong.isEmpty(), String.join("\n", wrong));
      assertTrue(heldMs < TIMEOUT_MS, "slow client held " + heldMs + " ms");
      assertEquals(0, goodFailures.get(), String.join("\n", failures));
      // Nothing of the good traffic is left held; the victim keeps its address.
      Reply again = RawHttp.overUnix(socket, json("POST", "/v1/ipam/ip", goodAdd("victim")), TIMEOUT_MS);
      assertEquals(victim.body(), again.body());
      assertEquals(1, api.get(POOLS + "/good").json().path("status").path("allocatedIPCount").asInt());
    }
  }

  private static String first(String s) {
    String one = s.length() > 300 ? s.substring(0, 300) : s;
    return one.replace('\n', ' ');
  }

  static {
    // the suite's byte-level requests use ISO-8859-1 heads and UTF-8 bodies
    assert StandardCharsets.UTF_8 != null;
  }
}
