package io.ippool.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The CRD pruning walk (apiextensions-apiserver schema/pruning): drops every object key the structural schema
 * does not declare, unless x-kubernetes-preserve-unknown-fields is set, and reports each dropped key with the
 * field path kube-apiserver prints in {@code unknown field "<path>"}. One walk serves both "report" and
 * "remove" so they can never disagree.
 */
final class Pruning {
  private final boolean remove;
  private final List<String> dropped = new ArrayList<>();

  private Pruning(boolean remove) {
    this.remove = remove;
  }

  /** Walks {@code obj} against {@code root}; metadata is pruned as ObjectMeta, not by the CRD schema. */
  static List<String> run(SchemaNode root, ObjectNode obj, boolean remove) {
    Pruning p = new Pruning(remove);
    p.object(root, obj, "", true);
    return p.dropped;
  }

  private void walk(SchemaNode schema, JsonNode value, String path) {
    if (schema == null || value == null) {
      return;
    }
    if (value.isObject()) {
      object(schema, (ObjectNode) value, path, false);
    } else if (value.isArray() && schema.items != null) {
      ArrayNode arr = (ArrayNode) value;
      for (int i = 0; i < arr.size(); i++) {
        walk(schema.items, arr.get(i), path + "[" + i + "]");
      }
    }
  }

  private void object(SchemaNode schema, ObjectNode obj, String path, boolean root) {
    if (schema.isMap()) {
      // A map: every key is data; only the values are walked.
      if (schema.additionalProperties != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          walk(schema.additionalProperties, e.getValue(), path + "." + e.getKey());
        }
      }
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      String child = path.isEmpty() ? key : path + "." + key;
      if (root && (key.equals("apiVersion") || key.equals("kind")) && !schema.properties.containsKey(key)) {
        continue; // TypeMeta is always kept, declared or not
      }
      if (root && key.equals("metadata")) {
        if (e.getValue().isObject()) {
          object(ObjectMetaSchema.ROOT, (ObjectNode) e.getValue(), child, false);
        }
        continue;
      }
      SchemaNode prop = schema.properties.get(key);
      if (prop != null) {
        walk(prop, e.getValue(), child);
      } else if (!schema.preserveUnknownFields) {
        dropped.add(child);
        if (remove) {
          it.remove();
        }
      }
    }
  }
}
