package io.ippool.metrics.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ippool.http.RequestInfo;
import org.junit.jupiter.api.Test;

class RequestLabelsTest {
  private static final String BASE = "/apis/spiderpool.spidernet.io/v2beta1/";

  private static RequestLabels labels(String method, String path, String watch, String contentType) {
    return RequestLabels.of(method, RequestInfo.parse(method, path, watch), contentType, false,
        p -> p.equals("spiderippools"));
  }

  @Test
  void verbsAndScopesAsKubeApiserverReportsThem() {
    assertEquals("LIST/cluster", vs(labels("GET", BASE + "spiderippools", null, null)));
    assertEquals("WATCH/cluster", vs(labels("GET", BASE + "spiderippools", "true", null)));
    assertEquals("WATCH/resource", vs(labels("GET", BASE + "watch/spiderippools/a", null, null)));
    assertEquals("GET/resource", vs(labels("GET", BASE + "spiderippools/a", null, null)));
    assertEquals("POST/resource", vs(labels("POST", BASE + "spiderippools", null, "application/json")));
    assertEquals("PUT/resource", vs(labels("PUT", BASE + "spiderippools/a/status", null, "application/json")));
    assertEquals("PATCH/resource", vs(labels("PATCH", BASE + "spiderippools/a", null, "application/merge-patch+json")));
    assertEquals("APPLY/resource", vs(labels("PATCH", BASE + "spiderippools/a", null,
        "application/apply-patch+yaml")));
    assertEquals("DELETE/cluster", vs(labels("DELETE", BASE + "spiderippools", null, null)));
    assertEquals("GET/", vs(labels("GET", "/metrics", null, null)));
  }

  @Test
  void unknownResourcesAndSubresourcesAreNotLabelValues() {
    RequestLabels made = labels("GET", BASE + "made-up/x", null, null);
    assertEquals("", made.resource());
    assertEquals("", made.group());
    RequestLabels sub = labels("GET", BASE + "spiderippools/a/junk", null, null);
    assertEquals("", sub.subresource());
    assertEquals("", sub.resource());
    RequestLabels status = labels("GET", BASE + "spiderippools/a/status", null, null);
    assertEquals("status", status.subresource());
    assertEquals("spiderippools", status.resource());
  }

  private static String vs(RequestLabels l) {
    return l.verb() + "/" + l.scope();
  }
}
