package io.ippool.admission.webhook;

import io.ippool.spiderpool.Spiderpool;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ippool.api.ResourceKind;
import org.junit.jupiter.api.Test;

class WebhookMatcherTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static JsonNode hook(String resources, String scope) throws Exception {
    return MAPPER.readTree("{\"rules\":[{\"operations\":[\"CREATE\",\"UPDATE\"],\"apiGroups\":[\"*\"],"
        + "\"apiVersions\":[\"v2beta1\"],\"resources\":" + resources + ",\"scope\":\"" + scope + "\"}]}");
  }

  private static boolean matches(JsonNode hook, String op, String sub) {
    return WebhookMatcher.rulesMatch(hook, Spiderpool.IPPOOL, op, sub, "");
  }

  @Test
  void resourcesFollowKubesWildcards() throws Exception {
    assertTrue(matches(hook("[\"spiderippools\"]", "*"), "CREATE", ""));
    assertFalse(matches(hook("[\"spiderippools\"]", "*"), "CREATE", "status"));
    assertFalse(matches(hook("[\"spiderippools\"]", "*"), "DELETE", ""));
    assertTrue(matches(hook("[\"*\"]", "*"), "UPDATE", ""));
    assertFalse(matches(hook("[\"*\"]", "*"), "UPDATE", "status"));
    assertTrue(matches(hook("[\"spiderippools/status\"]", "*"), "UPDATE", "status"));
    assertTrue(matches(hook("[\"spiderippools/*\"]", "*"), "UPDATE", "status"));
    assertFalse(matches(hook("[\"spiderippools/*\"]", "*"), "UPDATE", ""));
    assertTrue(matches(hook("[\"*/status\"]", "*"), "UPDATE", "status"));
    assertTrue(matches(hook("[\"*/*\"]", "*"), "UPDATE", "status"));
    assertFalse(matches(hook("[\"spidersubnets\"]", "*"), "CREATE", ""));
  }

  @Test
  void scopeSeparatesClusterFromNamespaced() throws Exception {
    assertTrue(matches(hook("[\"*\"]", "Cluster"), "CREATE", ""));
    assertFalse(matches(hook("[\"*\"]", "Namespaced"), "CREATE", ""));
    assertTrue(WebhookMatcher.rulesMatch(hook("[\"*\"]", "Namespaced"), Spiderpool.IPPOOL, "CREATE", "", "ns"));
  }

  @Test
  void labelSelectors() throws Exception {
    JsonNode labels = MAPPER.readTree("{\"a\":\"1\",\"b\":\"2\"}");
    assertTrue(WebhookMatcher.selectorMatches(null, labels));
    assertTrue(WebhookMatcher.selectorMatches(MAPPER.readTree("{\"matchLabels\":{\"a\":\"1\"}}"), labels));
    assertFalse(WebhookMatcher.selectorMatches(MAPPER.readTree("{\"matchLabels\":{\"a\":\"2\"}}"), labels));
    assertTrue(WebhookMatcher.selectorMatches(MAPPER.readTree(
        "{\"matchExpressions\":[{\"key\":\"c\",\"operator\":\"DoesNotExist\"},"
            + "{\"key\":\"b\",\"operator\":\"In\",\"values\":[\"2\",\"3\"]}]}"), labels));
    assertFalse(WebhookMatcher.selectorMatches(MAPPER.readTree(
        "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"NotIn\",\"values\":[\"1\"]}]}"), labels));
  }
}
