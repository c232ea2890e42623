package io.ippool.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Read access to the parts of a Kubernetes object JSON the webhooks look at, with Go's zero-value reading of
 * absent fields (a missing string is "", a missing list is empty) so checks see what Spiderpool's typed structs
 * would.
 */
final class Obj {
  private Obj() {
  }

  static String name(ObjectNode o) {
    return text(o.path("metadata").path("name"));
  }

  static boolean terminating(ObjectNode o) {
    JsonNode ts = o.path("metadata").get("deletionTimestamp");
    return ts != null && !ts.isNull();
  }

  static boolean hasFinalizer(ObjectNode o, String finalizer) {
    for (JsonNode f : o.path("metadata").path("finalizers")) {
      if (finalizer.equals(f.asText())) {
        return true;
      }
    }
    return false;
  }

  static String label(ObjectNode o, String key) {
    JsonNode v = o.path("metadata").path("labels").get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  static JsonNode spec(ObjectNode o) {
    return o.path("spec");
  }

  /** A spec string field; "" when absent, as a Go string would be. */
  static String specText(ObjectNode o, String field) {
    return text(spec(o).path(field));
  }

  /** A spec *string field: null when absent or null. */
  static String specOptionalText(ObjectNode o, String field) {
    JsonNode v = spec(o).get(field);
    return v == null || v.isNull() ? null : text(v);
  }

  /** A spec []string field; empty when absent. */
  static List<String> specList(ObjectNode o, String field) {
    return texts(spec(o).path(field));
  }

  static boolean hasSpecList(ObjectNode o, String field) {
    return spec(o).path(field).isArray();
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array.isArray()) {
      for (JsonNode n : array) {
        out.add(text(n));
      }
    }
    return out;
  }

  static String text(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return "";
    }
    return n.isValueNode() ? n.asText() : n.toString();
  }

  /**
   * spec.ipVersion: null when absent or null, a Long when an integral number, otherwise the raw node (which the
   * schema layer should have refused; validation reports it as an unsupported value).
   */
  static Object ipVersion(ObjectNode o) {
    JsonNode v = spec(o).get("ipVersion");
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.longValue();
    }
    return v.isValueNode() ? v.asText() : v.toString();
  }

  static ObjectNode specForWrite(ObjectNode o) {
    JsonNode s = o.get("spec");
    return s instanceof ObjectNode so ? so : o.putObject("spec");
  }

  static ObjectNode metadataForWrite(ObjectNode o) {
    JsonNode m = o.get("metadata");
    return m instanceof ObjectNode mo ? mo : o.putObject("metadata");
  }

  static void setList(ObjectNode spec, String field, List<String> values) {
    ArrayNode a = spec.putArray(field);
    values.forEach(a::add);
  }
}
