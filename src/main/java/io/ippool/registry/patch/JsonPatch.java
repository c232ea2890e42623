package io.ippool.registry.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** RFC 6902 JSON Patch with RFC 6901 pointers. Failures throw {@link PatchFailure}. */
public final class JsonPatch {
  public static final int MAX_OPERATIONS = 10000;

  private JsonPatch() {
  }

  /** An operation that cannot be applied (kube answers 422); not a malformed document. */
  public static final class PatchFailure extends RuntimeException {
    public PatchFailure(String message) {
      super(message, null, false, false);
    }
  }

  /** @throws IllegalArgumentException when the patch document itself is malformed */
  public static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isArray()) {
      throw new IllegalArgumentException("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
    }
    JsonNode doc = target.deepCopy();
    for (JsonNode op : patch) {
      if (!op.isObject() || !op.path("op").isTextual()) {
        throw new IllegalArgumentException("invalid JSON patch operation: " + op);
      }
      String path = op.path("path").asText(null);
      if (path == null) {
        throw new IllegalArgumentException("missing 'path' in JSON patch operation");
      }
      switch (op.get("op").asText()) {
        case "add" -> doc = add(doc, path, value(op));
        case "remove" -> doc = remove(doc, path);
        case "replace" -> doc = add(remove(doc, path), path, value(op));
        case "move" -> {
          String from = from(op);
          JsonNode v = get(doc, from);
          doc = add(remove(doc, from), path, v);
        }
        case "copy" -> doc = add(doc, path, get(doc, from(op)).deepCopy());
        case "test" -> {
          if (!get(doc, path).equals(value(op))) {
            throw new PatchFailure("testing value " + path + " failed");
          }
        }
        default -> throw new IllegalArgumentException("unknown JSON patch operation " + op.get("op").asText());
      }
    }
    return doc;
  }

  private static JsonNode value(JsonNode op) {
    if (!op.has("value")) {
      throw new IllegalArgumentException("missing 'value' in JSON patch operation");
    }
    return op.get("value");
  }

  private static String from(JsonNode op) {
    if (!op.path("from").isTextual()) {
      throw new IllegalArgumentException("missing 'from' in JSON patch operation");
    }
    return op.get("from").asText();
  }

  static List<String> tokens(String pointer) {
    if (pointer.isEmpty()) {
      return List.of();
    }
    if (!pointer.startsWith("/")) {
      throw new PatchFailure("invalid JSON pointer " + pointer);
    }
    List<String> out = new ArrayList<>();
    for (String t : pointer.substring(1).split("/", -1)) {
      out.add(t.replace("~1", "/").replace("~0", "~"));
    }
    return out;
  }

  private static JsonNode get(JsonNode doc, String pointer) {
    JsonNode cur = doc;
    for (String t : tokens(pointer)) {
      cur = child(cur, t);
      if (cur == null) {
        throw new PatchFailure("path " + pointer + " does not exist");
      }
    }
    return cur;
  }

  private static JsonNode child(JsonNode node, String token) {
    if (node.isObject()) {
      return node.get(token);
    }
    if (node.isArray()) {
      int i = index(token, node.size() - 1);
      return node.get(i);
    }
    return null;
  }

  private static JsonNode add(JsonNode doc, String pointer, JsonNode value) {
    List<String> t = tokens(pointer);
    if (t.isEmpty()) {
      return value.deepCopy();
    }
    JsonNode parent = parent(doc, pointer, t);
    String last = t.get(t.size() - 1);
    if (parent instanceof ObjectNode o) {
      o.set(last, value.deepCopy());
    } else if (parent instanceof ArrayNode a) {
      if (last.equals("-")) {
        a.add(value.deepCopy());
      } else {
        a.insert(index(last, a.size()), value.deepCopy());
      }
    } else {
      throw new PatchFailure("path " + pointer + " does not exist");
    }
    return doc;
  }

  private static JsonNode remove(JsonNode doc, String pointer) {
    List<String> t = tokens(pointer);
    if (t.isEmpty()) {
      throw new PatchFailure("cannot remove the whole document");
    }
    JsonNode parent = parent(doc, pointer, t);
    String last = t.get(t.size() - 1);
    if (parent instanceof ObjectNode o && o.has(last)) {
      o.remove(last);
    } else if (parent instanceof ArrayNode a) {
      a.remove(index(last, a.size() - 1));
    } else {
      throw new PatchFailure("path " + pointer + " does not exist");
    }
    return doc;
  }

  private static JsonNode parent(JsonNode doc, String pointer, List<String> t) {
    JsonNode cur = doc;
    for (int i = 0; i < t.size() - 1; i++) {
      cur = child(cur, t.get(i));
      if (cur == null) {
        throw new PatchFailure("path " + pointer + " does not exist");
      }
    }
    return cur;
  }

  private static int index(String token, int max) {
    try {
      int i = Integer.parseInt(token);
      if (i < 0 || i > max || (token.length() > 1 && token.startsWith("0"))) {
        throw new PatchFailure("index " + token + " out of range");
      }
      return i;
    } catch (NumberFormatException e) {
      throw new PatchFailure("invalid array index " + token);
    }
  }
}
