package io.ippool.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.Kubectl;
import io.ippool.testsupport.TestServer;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /metrics of a real server on real PostgreSQL: counters move by exactly the requests made. */
class MetricsIT {
  private static final String RESERVED = "/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips";
  private static TestServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    api = ApiClient.admin(server);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static PromText scrape() {
    ApiClient.Response r = api.get("/metrics");
    assertEquals(200, r.code(), r.body());
    assertEquals("text/plain; version=0.0.4; charset=utf-8",
        r.headers().firstValue("Content-Type").orElse(""));
    return new PromText(r.body());
  }

  private static double requests(PromText p, String verb, String scope, String code) {
    return p.sum("apiserver_request_total", "verb", verb, "group", "spiderpool.spidernet.io", "version", "v2beta1",
        "resource", "spiderreservedips", "subresource", "", "scope", scope, "component", "apiserver", "code", code);
  }

  @Test
  void requestCounters_moveByExactlyTheRequestsMade() {
    PromText before = scrape();
    for (int i = 0; i < 3; i++) {
      var r = api.post(RESERVED, "application/json",
          "{\"metadata\":{\"name\":\"count-" + i + "\"},\"spec\":{\"ips\":[\"10.20.0." + (i + 1) + "\"]}}");
      assertEquals(201, r.code(), r.body());
    }
    for (int i = 0; i < 2; i++) {
      assertEquals(200, api.get(RESERVED + "/count-" + i).code());
    }
    assertEquals(404, api.get(RESERVED + "/no-such").code());
    PromText after = scrape();

    assertEquals(3, requests(after, "POST", "resource", "201") - requests(before, "POST", "resource", "201"));
    assertEquals(2, requests(after, "GET", "resource", "200") - requests(before, "GET", "resource", "200"));
    assertEquals(1, requests(after, "GET", "resource", "404") - requests(before, "GET", "resource", "404"));
    String[] post = {"verb", "POST", "resource", "spiderreservedips", "scope", "resource"};
    assertEquals(3, after.sum("apiserver_request_duration_seconds_count", post)
        - before.sum("apiserver_request_duration_seconds_count", post));
    // kube-apiserver's buckets, so its dashboards work: the 60 s bucket holds every create.
    assertEquals(3, after.sum("apiserver_request_duration_seconds_bucket", concat(post, "le", "60.0"))
        - before.sum("apiserver_request_duration_seconds_bucket", concat(post, "le", "60.0")));
    // The scrape before this one is itself a request, non-resource, without group or resource.
    assertTrue(after.sum("apiserver_request_total", "verb", "GET", "resource", "", "code", "200") >= 1);
  }

  @Test
  void unknownResources_doNotBecomeLabelValues() {
    assertEquals(404, api.get("/apis/spiderpool.spidernet.io/v2beta1/made-up-things").code());
    PromText p = scrape();
    assertTrue(p.find("apiserver_request_total", "resource", "made-up-things").isEmpty());
  }

  @Test
  void watches_areCountedAtStartAndGaugedWhileOpen() throws Exception {
    String[] watch = {"verb", "WATCH", "resource", "spiderreservedips"};
    double before = scrape().sum("apiserver_request_total", concat(watch, "code", "200"));
    try (var lines = api.stream(RESERVED + "?watch=true&resourceVersion=0", "application/json")) {
      PromText open = scrape();
      assertEquals(1, open.sum("apiserver_request_total", concat(watch, "code", "200")) - before);
      assertEquals(1, open.sum("apiserver_longrunning_requests", watch));
      assertTrue(open.find("apiserver_request_duration_seconds_count", "verb", "WATCH").isEmpty(),
          "watches have no latency");
      eventually(() -> scrape().sum("ippool_watch_subscribers") >= 1);
    }
    // The client closed its end: the server notices on its next write at the latest (bookmark or event).
    api.post(RESERVED, "application/json", "{\"metadata\":{\"name\":\"wake\"},\"spec\":{\"ips\":[\"10.20.1.1\"]}}");
    eventually(() -> scrape().sum("apiserver_longrunning_requests", watch) == 0);
  }

  @Test
  void databaseAndEventLogMetrics_arePresent() {
    PromText p = scrape();
    assertTrue(p.has("vertx_pool_in_use"), "SQL pool usage from vertx-micrometer");
    assertTrue(p.sum("vertx_sql_processing_time_seconds_count") > 0, "SQL query latency");
    assertTrue(p.find("vertx_sql_processing_time_seconds_bucket", "le", "0.01").size() > 0, "as a histogram");
    assertTrue(p.has("ippool_event_log_revision"));
    assertTrue(p.has("ippool_watch_event_lag_revisions"));
    assertTrue(p.has("jvm_memory_used_bytes"));
  }

  @Test
  void anonymous_cannotReadMetrics() {
    assertEquals(401, ApiClient.anonymous(server).get("/metrics").code());
  }

  @Test
  void kubectlGetRaw_readsMetrics() {
    Assumptions.assumeTrue(Kubectl.available(), "kubectl is not on the PATH (.ci/run installs it)");
    var r = new Kubectl(server.kubeconfig()).run("get", "--raw", "/metrics");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("# TYPE apiserver_request_total counter"), r.out());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met in 20 s");
      }
      Thread.sleep(100);
    }
  }
}
