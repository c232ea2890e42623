package io.ippool.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Whether an object's metadata decodes into Kubernetes' ObjectMeta: a label value that is an object or a
 * name that is a number is not a value of another shape but an object no typed client can read (a list
 * holding it cannot be decoded at all). kube-apiserver refuses such a body as undecodable; the message
 * here is the one Go's JSON decoder gives. JSON null is the zero value of every field, as in Go.
 */
public final class ObjectMetaTypes {
  private enum Shape { STRING, INT64, STRING_MAP, STRING_LIST, OBJECT_LIST }

  private static final Map<String, Shape> FIELDS = Map.ofEntries(
      Map.entry("name", Shape.STRING), Map.entry("generateName", Shape.STRING),
      Map.entry("namespace", Shape.STRING), Map.entry("selfLink", Shape.STRING),
      Map.entry("uid", Shape.STRING), Map.entry("resourceVersion", Shape.STRING),
      Map.entry("creationTimestamp", Shape.STRING), Map.entry("deletionTimestamp", Shape.STRING),
      Map.entry("generation", Shape.INT64), Map.entry("deletionGracePeriodSeconds", Shape.INT64),
      Map.entry("labels", Shape.STRING_MAP), Map.entry("annotations", Shape.STRING_MAP),
      Map.entry("finalizers", Shape.STRING_LIST), Map.entry("ownerReferences", Shape.OBJECT_LIST),
      Map.entry("managedFields", Shape.OBJECT_LIST));

  private ObjectMetaTypes() {
  }

  /** Go's decoding error for the first field of {@code metadata} of the wrong shape, or null. */
  public static String mismatch(JsonNode metadata) {
    if (metadata == null || !metadata.isObject()) {
      return null;
    }
    for (Map.Entry<String, Shape> f : FIELDS.entrySet()) {
      JsonNode v = metadata.get(f.getKey());
      if (v == null || v.isNull()) {
        continue;
      }
      String bad = check(f.getValue(), v);
      if (bad != null) {
        return "json: cannot unmarshal " + bad + " into Go struct field ObjectMeta.metadata." + f.getKey()
            + " of type " + goType(f.getValue());
      }
    }
    return null;
  }

  /** The JSON type that does not fit, or null when the value fits. */
  private static String check(Shape shape, JsonNode v) {
    switch (shape) {
      case STRING:
        return v.isTextual() ? null : jsonType(v);
      case INT64:
        return v.isIntegralNumber() && v.canConvertToLong() ? null : jsonType(v);
      case STRING_MAP:
        if (!v.isObject()) {
          return jsonType(v);
        }
        for (JsonNode e : v) {
          if (!e.isTextual() && !e.isNull()) {
            return jsonType(e);
          }
        }
        return null;
      case STRING_LIST:
        if (!v.isArray()) {
          return jsonType(v);
        }
        for (JsonNode e : v) {
          if (!e.isTextual() && !e.isNull()) {
            return jsonType(e);
          }
        }
        return null;
      default:
        if (!v.isArray()) {
          return jsonType(v);
        }
        for (JsonNode e : v) {
          if (!e.isObject() && !e.isNull()) {
            return jsonType(e);
          }
        }
        return null;
    }
  }

  private static String goType(Shape shape) {
    return switch (shape) {
      case STRING -> "string";
      case INT64 -> "int64";
      case STRING_MAP -> "map[string]string";
      case STRING_LIST -> "[]string";
      case OBJECT_LIST -> "[]struct";
    };
  }

  private static String jsonType(JsonNode v) {
    if (v.isArray()) {
      return "array";
    }
    if (v.isObject()) {
      return "object";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "bool";
    }
    return "string";
  }
}
