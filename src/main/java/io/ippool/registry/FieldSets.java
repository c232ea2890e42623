package io.ippool.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Sets of field paths in managedFields' FieldsV1 form ({@code {"f:spec":{".":{},"f:subnet":{}}}}). A leaf
 * ({@code {}}) owns the whole value below it: scalars, lists (atomic in Spiderpool's schemas) and atomic maps.
 */
public final class FieldSets {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private FieldSets() {
  }

  /** The fields an applied configuration sets; objects recurse unless {@code atomic} says otherwise. */
  public static ObjectNode of(JsonNode applied, List<String> prefix, Predicate<List<String>> atomic) {
    ObjectNode out = F.objectNode();
    applied.fields().forEachRemaining(e -> {
      List<String> path = new ArrayList<>(prefix);
      path.add(e.getKey());
      JsonNode v = e.getValue();
      if (v.isObject() && !v.isEmpty() && !atomic.test(path)) {
        ObjectNode sub = of(v, path, atomic);
        if (!(prefix.isEmpty() && e.getKey().equals("metadata"))) {
          ObjectNode withDot = F.objectNode();
          withDot.set(".", F.objectNode());
          withDot.setAll(sub);
          sub = withDot;
        }
        out.set("f:" + e.getKey(), sub);
      } else {
        out.set("f:" + e.getKey(), F.objectNode());
      }
    });
    return out;
  }

  /** Every leaf path of a FieldsV1 tree, as plain keys. */
  public static List<List<String>> leaves(JsonNode fields) {
    List<List<String>> out = new ArrayList<>();
    collect(fields, new ArrayList<>(), out);
    return out;
  }

  private static void collect(JsonNode node, List<String> prefix, List<List<String>> out) {
    node.fields().forEachRemaining(e -> {
      if (e.getKey().equals(".")) {
        return;
      }
      List<String> path = new ArrayList<>(prefix);
      path.add(key(e.getKey()));
      boolean leaf = e.getValue().isEmpty()
          || (e.getValue().size() == 1 && e.getValue().has("."));
      if (leaf) {
        out.add(path);
      } else {
        collect(e.getValue(), path, out);
      }
    });
  }

  /** Whether {@code fields} owns {@code path}, itself or through an atomic ancestor. */
  public static boolean owns(JsonNode fields, List<String> path) {
    JsonNode cur = fields;
    for (int i = 0; i < path.size(); i++) {
      JsonNode next = cur.get("f:" + path.get(i));
      if (next == null) {
        return false;
      }
      if (next.isEmpty() && i < path.size() - 1) {
        return true; // an atomic ancestor is owned as a whole
      }
      cur = next;
    }
    return true;
  }

  /** Removes {@code path} (and parents left with nothing but "."). */
  public static void remove(ObjectNode fields, List<String> path) {
    if (path.isEmpty()) {
      return;
    }
    String k = "f:" + path.get(0);
    JsonNode child = fields.get(k);
    if (child == null) {
      return;
    }
    if (path.size() == 1 || child.isEmpty()) {
      fields.remove(k);
      return;
    }
    remove((ObjectNode) child, path.subList(1, path.size()));
    if (child.isEmpty() || (child.size() == 1 && child.has("."))) {
      fields.remove(k);
    }
  }

  /** The value at {@code path}, or null. */
  public static JsonNode valueAt(JsonNode obj, List<String> path) {
    JsonNode cur = obj;
    for (String k : path) {
      if (cur == null || !cur.isObject()) {
        return null;
      }
      cur = cur.get(k);
    }
    return cur;
  }

  /** ".spec.subnet", as kube prints field paths in conflicts. */
  public static String print(List<String> path) {
    StringBuilder b = new StringBuilder();
    for (String k : path) {
      b.append('.').append(k);
    }
    return b.toString();
  }

  private static String key(String fKey) {
    return fKey.startsWith("f:") ? fKey.substring(2) : fKey;
  }
}
