package io.ippool.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.TestServer;
import org.junit.jupiter.api.Test;

/** The allocation counters move by exactly the allocations, failures and releases made. */
class AllocationMetricsIT {

  @Test
  void countersMoveByExactlyWhatWasDone() {
    try (TestServer server = TestServer.start()) {
      ApiClient api = ApiClient.admin(server);
      assertEquals(201, api.post("/apis/spiderpool.spidernet.io/v2beta1/spiderippools", "application/json",
          "{\"metadata\":{\"name\":\"m\"},\"spec\":{\"subnet\":\"10.3.0.0/24\",\"ips\":[\"10.3.0.1-10.3.0.3\"]}}")
          .code());
      PromText before = new PromText(api.get("/metrics").body());
      for (int i = 0; i < 3; i++) {
        assertEquals(200, add(api, "c" + i).code());
      }
      assertEquals(500, add(api, "c3").code(), "the pool has three addresses");
      for (int i = 0; i < 2; i++) {
        assertEquals(200, api.send("DELETE", "/v1/ipam/ip", "application/json", "{\"containerID\":\"c" + i
            + "\",\"ifName\":\"eth0\",\"podNamespace\":\"default\",\"podName\":\"c" + i + "\",\"podUID\":\"u\"}", null)
            .code());
      }
      PromText after = new PromText(api.get("/metrics").body());
      assertEquals(3.0, delta(before, after, "ippool_allocations_total", "pool", "m", "result", "success"));
      assertEquals(1.0, delta(before, after, "ippool_allocations_total", "result", "failure"));
      assertEquals(1.0, delta(before, after, "ippool_allocation_failures_total", "pool", "m", "reason", "exhausted"),
          "the failure is counted against the pool that ran out, not pool=\"\"");
      assertEquals(2.0, delta(before, after, "ippool_releases_total", "result", "success"));
    }
  }

  private static double delta(PromText before, PromText after, String name, String... labels) {
    return after.sum(name, labels) - before.sum(name, labels);
  }

  private static ApiClient.Response add(ApiClient api, String container) {
    return api.post("/v1/ipam/ip", "application/json", "{\"containerID\":\"" + container + "\",\"ifName\":\"eth0\","
        + "\"netNamespace\":\"/x\",\"podNamespace\":\"default\",\"podName\":\"" + container + "\",\"podUID\":\"u\","
        + "\"defaultIPv4IPPool\":[\"m\"]}");
  }
}
