package io.ippool.spiderpool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The one reader of Spiderpool objects' JSON: the parts webhooks, allocator and projections look at, with Go's
 * zero-value reading of absent fields (a missing string is "", a missing list is empty) so checks see what
 * Spiderpool's typed structs would. {@link PoolSpecs} builds the allocator's view of a spec on top of it.
 */
public final class SpecReader {
  private SpecReader() {
  }

  public static String name(ObjectNode o) {
    return text(o.path("metadata").path("name"));
  }

  public static boolean terminating(ObjectNode o) {
    JsonNode ts = o.path("metadata").get("deletionTimestamp");
    return ts != null && !ts.isNull();
  }

  public static boolean hasFinalizer(ObjectNode o, String finalizer) {
    for (JsonNode f : o.path("metadata").path("finalizers")) {
      if (finalizer.equals(f.asText())) {
        return true;
      }
    }
    return false;
  }

  public static String label(ObjectNode o, String key) {
    JsonNode v = o.path("metadata").path("labels").get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  public static JsonNode spec(ObjectNode o) {
    return o.path("spec");
  }

  /** A spec string field; "" when absent, as a Go string would be. */
  public static String specText(ObjectNode o, String field) {
    return text(spec(o).path(field));
  }

  /** A spec *string field: null when absent or null. */
  public static String specOptionalText(ObjectNode o, String field) {
    JsonNode v = spec(o).get(field);
    return v == null || v.isNull() ? null : text(v);
  }

  /** A spec []string field; empty when absent. */
  public static List<String> specList(ObjectNode o, String field) {
    return texts(spec(o).path(field));
  }

  public static boolean hasSpecList(ObjectNode o, String field) {
    return spec(o).path(field).isArray();
  }

  public static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array.isArray()) {
      for (JsonNode n : array) {
        out.add(text(n));
      }
    }
    return out;
  }

  public static String text(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return "";
    }
    return n.isValueNode() ? n.asText() : n.toString();
  }

  /**
   * spec.ipVersion: null when absent or null, a Long when an integral number, otherwise the raw node (which the
   * schema layer should have refused; validation reports it as an unsupported value).
   */
  public static Object ipVersion(ObjectNode o) {
    JsonNode v = spec(o).get("ipVersion");
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.longValue();
    }
    return v.isValueNode() ? v.asText() : v.toString();
  }

  public static ObjectNode specForWrite(ObjectNode o) {
    JsonNode s = o.get("spec");
    return s instanceof ObjectNode so ? so : o.putObject("spec");
  }

  public static ObjectNode metadataForWrite(ObjectNode o) {
    JsonNode m = o.get("metadata");
    return m instanceof ObjectNode mo ? mo : o.putObject("metadata");
  }

  public static void setList(ObjectNode spec, String field, List<String> values) {
    ArrayNode a = spec.putArray(field);
    values.forEach(a::add);
  }
}
