package io.ippool.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ippool.metrics.PromText;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.TestServer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every series the chart's alert rules and Grafana dashboard query, with every exact label value they select on,
 * is exported by /metrics of a real server after some allocations, a failure and a release: a renamed metric or
 * label breaks this test instead of leaving a dashboard blank or an alert silent.
 */
class DashboardMetricsIT {
  /** A metric name, optionally followed by its {label="value",...} selector. */
  private static final Pattern SELECTOR = Pattern.compile("\\b((?:ippool|apiserver)_[a-z_]+)(\\{[^}]*\\})?");
  private static final Pattern EXACT_MATCHER = Pattern.compile("([a-z_]+)=\"([^\"]*)\"");

  record Query(String metric, List<String> labels) {
  }

  @Test
  void everyQueriedSeriesIsExported() throws Exception {
    Assumptions.assumeTrue(ChartIT.onPath("helm"), "helm is not on PATH (.ci/run installs it)");
    List<JsonNode> objs = ChartIT.render(List.of("prometheus.prometheusRule.install=true",
        "grafanaDashboard.install=true"));
    List<String> exprs = new ArrayList<>();
    ChartIT.find(objs, "PrometheusRule", "ippool-apiserver").findValues("expr").forEach(e -> exprs.add(e.asText()));
    JsonNode dashboard = new ObjectMapper().readTree(ChartIT.find(objs, "ConfigMap", "ippool-apiserver-dashboard")
        .path("data").path("ippool-apiserver.json").asText());
    dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
    dashboard.findValues("definition").forEach(e -> exprs.add(e.asText()));
    Set<Query> queries = queries(exprs);
    assertTrue(queries.size() >= 10, "queries found: " + queries);
    // On by default: the alert on reclaims. The server exports every reason at 0 from the start, so the
    // series exists here although no pod has vanished (a counter born at its first reclaim would hide that
    // reclaim from increase()).
    assertTrue(queries.contains(new Query("ippool_gc_reclaimed_total", List.of())), "queries found: " + queries);

    try (TestServer server = TestServer.start()) {
      ApiClient api = ApiClient.admin(server);
      assertEquals(201, api.post("/apis/spiderpool.spidernet.io/v2beta1/spiderippools", "application/json",
          "{\"metadata\":{\"name\":\"dash\"},\"spec\":{\"subnet\":\"10.9.0.0/24\",\"ips\":[\"10.9.0.1-10.9.0.3\"]}}")
          .code());
      for (int i = 0; i < 3; i++) {
        assertEquals(200, add(api, "d" + i).code());
      }
      assertEquals(500, add(api, "d3").code(), "the pool is full: a failure with a reason");
      assertEquals(200, api.send("DELETE", "/v1/ipam/ip", "application/json", "{\"containerID\":\"d0\",\"ifName\":"
          + "\"eth0\",\"podNamespace\":\"default\",\"podName\":\"d0\",\"podUID\":\"u\"}", null).code());
      // Pool gauges come from a probe every 10 s: wait for the one that sees the pool.
      PromText metrics = null;
      for (long deadline = System.currentTimeMillis() + 30_000; System.currentTimeMillis() < deadline; ) {
        metrics = new PromText(api.get("/metrics").body());
        if (!metrics.find("ippool_pool_capacity_addresses", "pool", "dash").isEmpty()) {
          break;
        }
        Thread.sleep(500);
      }
      List<Query> missing = new ArrayList<>();
      for (Query q : queries) {
        if (metrics.find(q.metric(), q.labels().toArray(String[]::new)).isEmpty()) {
          missing.add(q);
        }
      }
      assertEquals(List.of(), missing, "queried by the chart but not exported");
    }
  }

  /** Metric names and their exact-match labels (k, v, ...); regex matchers such as pool=~"$pool" match anything. */
  private static Set<Query> queries(List<String> exprs) {
    Set<Query> out = new LinkedHashSet<>();
    for (String expr : exprs) {
      Matcher m = SELECTOR.matcher(expr);
      while (m.find()) {
        List<String> labels = new ArrayList<>();
        if (m.group(2) != null) {
          Matcher l = EXACT_MATCHER.matcher(m.group(2));
          while (l.find()) {
            labels.add(l.group(1));
            labels.add(l.group(2));
          }
        }
        out.add(new Query(m.group(1), labels));
      }
    }
    return out;
  }

  private static ApiClient.Response add(ApiClient api, String container) {
    return api.post("/v1/ipam/ip", "application/json", "{\"containerID\":\"" + container + "\",\"ifName\":\"eth0\","
        + "\"netNamespace\":\"/x\",\"podNamespace\":\"default\",\"podName\":\"" + container + "\",\"podUID\":\"u\","
        + "\"defaultIPv4IPPool\":[\"dash\"]}");
  }
}
