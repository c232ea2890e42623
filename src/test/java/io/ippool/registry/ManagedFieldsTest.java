package io.ippool.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * managedFields as kube-apiserver keeps them for create/update/patch: one Update entry per (manager, apiVersion,
 * subresource) owning what that manager set or changed, ownership moving to whoever changes a field last.
 */
class ManagedFieldsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String V = "spiderpool.spidernet.io/v2beta1";
  private static final String T0 = "2026-01-01T00:00:00Z";
  private static final String T1 = "2026-01-01T00:01:00Z";

  private static ObjectNode obj(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  private static ObjectNode pool(String spec, String managedFields) {
    return obj("""
        {"apiVersion":"%s","kind":"SpiderIPPool",
         "metadata":{"name":"p","uid":"u1","resourceVersion":"5","generation":1,
                     "creationTimestamp":"%s"%s},
         "spec":%s}""".formatted(V, T0, managedFields == null ? "" : ",\"managedFields\":" + managedFields, spec));
  }

  private static JsonNode list(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  private static JsonNode entries(ObjectNode o) {
    return o.path("metadata").path("managedFields");
  }

  private static String entry(String manager, String time, String fields) {
    return """
        {"manager":"%s","operation":"Update","apiVersion":"%s","time":"%s","fieldsType":"FieldsV1","fieldsV1":%s}"""
        .formatted(manager, V, time, fields);
  }

  @Test
  void createOwnsEverythingItSetsButSystemMetadata() {
    ObjectNode next = pool("{\"subnet\":\"10.0.0.0/24\",\"ips\":[\"10.0.0.1\"]}", null);
    ObjectMetaRules.meta(next).putObject("labels").put("team", "net");
    ManagedFields.recordUpdate(null, next, "kubectl-create", V, null, T0);
    String fields = "{\"f:metadata\":{\"f:labels\":{\".\":{},\"f:team\":{}}},"
        + "\"f:spec\":{\".\":{},\"f:ips\":{},\"f:subnet\":{}}}";
    assertEquals(list("[" + entry("kubectl-create", T0, fields) + "]"), entries(next));
    // kube's key order: "." first, then fields sorted; metadata itself is never marked with ".".
    assertEquals(fields, entries(next).get(0).get("fieldsV1").toString());
  }

  @Test
  void changingAFieldMovesItsOwnership() {
    String both = "{\"f:spec\":{\".\":{},\"f:ips\":{},\"f:subnet\":{}}}";
    ObjectNode old = pool("{\"subnet\":\"10.0.0.0/24\",\"ips\":[\"10.0.0.1\"]}", "[" + entry("a", T0, both) + "]");
    ObjectNode next = pool("{\"subnet\":\"10.0.0.0/24\",\"ips\":[\"10.0.0.2\"]}", null);
    ManagedFields.recordUpdate(old, next, "b", V, null, T1);
    assertEquals(list("[" + entry("a", T0, "{\"f:spec\":{\".\":{},\"f:subnet\":{}}}") + ","
        + entry("b", T1, "{\"f:spec\":{\".\":{},\"f:ips\":{}}}") + "]"), entries(next));
  }

  @Test
  void aManagerLeftWithNothingDisappears() {
    ObjectNode old = pool("{\"ips\":[\"10.0.0.1\"]}", "[" + entry("a", T0, "{\"f:spec\":{\".\":{},\"f:ips\":{}}}") + "]");
    ObjectNode next = pool("{\"ips\":[\"10.0.0.2\"]}", null);
    ManagedFields.recordUpdate(old, next, "b", V, null, T1);
    assertEquals(list("[" + entry("b", T1, "{\"f:spec\":{\".\":{},\"f:ips\":{}}}") + "]"), entries(next));
  }

  @Test
  void theSameManagerWritingAgainGainsFieldsAndANewTime() {
    ObjectNode old = pool("{\"ips\":[\"10.0.0.1\"]}", "[" + entry("a", T0, "{\"f:spec\":{\".\":{},\"f:ips\":{}}}") + "]");
    ObjectNode next = pool("{\"ips\":[\"10.0.0.1\"],\"gateway\":\"10.0.0.254\"}", null);
    ManagedFields.recordUpdate(old, next, "a", V, null, T1);
    assertEquals(list("[" + entry("a", T1, "{\"f:spec\":{\".\":{},\"f:gateway\":{},\"f:ips\":{}}}") + "]"),
        entries(next));
  }

  @Test
  void aWriteThatChangesNothingKeepsTheStoredEntries() {
    String stored = "[" + entry("a", T0, "{\"f:spec\":{\".\":{},\"f:ips\":{}}}") + "]";
    ObjectNode old = pool("{\"ips\":[\"10.0.0.1\"]}", stored);
    ObjectNode next = pool("{\"ips\":[\"10.0.0.1\"]}", null);
    // Server-set metadata differs on every write; it is nobody's field.
    ObjectMetaRules.meta(next).put("resourceVersion", "6").put("generation", 2);
    ManagedFields.recordUpdate(old, next, "b", V, null, T1);
    assertEquals(list(stored), entries(next));
  }

  @Test
  void anEmptyListFromTheClientMeansUnchanged() {
    String stored = "[" + entry("a", T0, "{\"f:spec\":{\".\":{},\"f:ips\":{}}}") + "]";
    ObjectNode old = pool("{\"ips\":[\"10.0.0.1\"]}", stored);
    ObjectNode next = pool("{\"ips\":[\"10.0.0.1\"]}", "[]");
    ManagedFields.recordUpdate(old, next, "a", V, null, T1);
    assertEquals(list(stored), entries(next));
  }

  @Test
  void aSingleEmptyEntryResetsManagedFields() {
    ObjectNode old = pool("{\"ips\":[\"10.0.0.1\"]}", "[" + entry("a", T0, "{\"f:spec\":{\".\":{},\"f:ips\":{}}}") + "]");
    ObjectNode next = pool("{\"ips\":[\"10.0.0.1\"]}", "[{}]");
    ManagedFields.recordUpdate(old, next, "a", V, null, T1);
    assertTrue(entries(next).isEmpty(), entries(next).toString());
  }

  @Test
  void theStatusSubresourceIsItsOwnEntry() {
    String spec = "[" + entry("a", T0, "{\"f:spec\":{\".\":{},\"f:ips\":{}}}") + "]";
    ObjectNode old = pool("{\"ips\":[\"10.0.0.1\"]}", spec);
    ObjectNode next = pool("{\"ips\":[\"10.0.0.1\"]}", null);
    next.putObject("status").put("allocatedIPCount", 1);
    ManagedFields.recordUpdate(old, next, "a", V, "status", T1);
    JsonNode e = entries(next);
    assertEquals(2, e.size());
    assertEquals(list(spec).get(0), e.get(0));
    assertEquals("status", e.get(1).path("subresource").asText());
    assertEquals("{\"f:status\":{\".\":{},\"f:allocatedIPCount\":{}}}", e.get(1).get("fieldsV1").toString());
  }

  @Test
  void anUpdateTakesFieldsFromAnApplier() {
    ObjectNode old = pool("{\"ips\":[\"10.0.0.1\"],\"gateway\":\"10.0.0.254\"}", null);
    ManagedFields.recordApply(old, "kubectl", V, null,
        obj("{\"f:spec\":{\".\":{},\"f:gateway\":{},\"f:ips\":{}}}"), T0);
    ObjectNode next = pool("{\"ips\":[\"10.0.0.9\"],\"gateway\":\"10.0.0.254\"}", null);
    ManagedFields.recordUpdate(old, next, "kubectl-edit", V, null, T1);
    JsonNode e = entries(next);
    assertEquals("Apply", e.get(0).path("operation").asText());
    assertEquals("{\"f:spec\":{\".\":{},\"f:gateway\":{}}}", e.get(0).get("fieldsV1").toString());
    assertEquals("kubectl-edit", e.get(1).path("manager").asText());
    assertEquals("{\"f:spec\":{\".\":{},\"f:ips\":{}}}", e.get(1).get("fieldsV1").toString());
  }

  @Test
  void applyReplacesOnlyItsOwnApplyEntry() {
    ObjectNode o = pool("{\"ips\":[\"10.0.0.1\"]}", "[" + entry("kubectl", T0, "{\"f:spec\":{\"f:ips\":{}}}") + "]");
    ManagedFields.recordApply(o, "kubectl", V, null, obj("{\"f:spec\":{\"f:a\":{}}}"), T0);
    ManagedFields.recordApply(o, "kubectl", V, null, obj("{\"f:spec\":{\"f:b\":{}}}"), T1);
    JsonNode e = entries(o);
    assertEquals(2, e.size(), "the Update entry of the same manager stays");
    assertEquals("Update", e.get(0).path("operation").asText());
    assertTrue(ManagedFields.isApplyEntryOf(e.get(1), "kubectl", null));
    assertFalse(ManagedFields.isApplyEntryOf(e.get(1), "kubectl", "status"));
    assertFalse(ManagedFields.isApplyEntryOf(e.get(0), "kubectl", null));
    assertEquals("{\"f:spec\":{\"f:b\":{}}}", e.get(1).get("fieldsV1").toString());
    assertEquals(T1, e.get(1).path("time").asText());
  }
}
