package io.ippool.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Structural defaulting as the CRD handler does it on decode: a missing property (or a null one that is not
 * nullable) gets a deep copy of its schema default, then the walk descends into the (possibly defaulted)
 * value. Nulls that are neither nullable nor defaulted are dropped, as PruneNonNullableNullsWithoutDefaults
 * does, so validation never sees them.
 */
final class Defaulting {
  private Defaulting() {
  }

  static void apply(SchemaNode schema, JsonNode value) {
    if (schema == null || value == null) {
      return;
    }
    if (value.isObject()) {
      object(schema, (ObjectNode) value);
    } else if (value.isArray() && schema.items != null) {
      for (JsonNode item : (ArrayNode) value) {
        apply(schema.items, item);
      }
    }
  }

  private static void object(SchemaNode schema, ObjectNode obj) {
    for (Map.Entry<String, SchemaNode> e : schema.properties.entrySet()) {
      SchemaNode prop = e.getValue();
      JsonNode current = obj.get(e.getKey());
      boolean absentOrNull = current == null || (current.isNull() && !prop.nullable);
      if (prop.defaultValue != null && absentOrNull) {
        obj.set(e.getKey(), prop.defaultValue.deepCopy());
      } else if (current != null && current.isNull() && !prop.nullable) {
        obj.remove(e.getKey());
      }
    }
    if (schema.additionalProperties != null) {
      List<String> nullKeys = new ArrayList<>();
      obj.fields().forEachRemaining(f -> {
        if (f.getValue().isNull() && !schema.additionalProperties.nullable) {
          nullKeys.add(f.getKey());
        }
      });
      obj.remove(nullKeys);
      obj.fields().forEachRemaining(f -> apply(schema.additionalProperties, f.getValue()));
    }
    for (Map.Entry<String, SchemaNode> e : schema.properties.entrySet()) {
      apply(e.getValue(), obj.get(e.getKey()));
    }
  }
}
