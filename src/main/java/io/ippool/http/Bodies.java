package io.ippool.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.api.Json;
import io.ippool.api.ResourceKind;
import io.ippool.errors.ApiException;
import io.ippool.schema.ObjectMetaTypes;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/** Decodes request bodies (JSON or YAML) into objects, with kube-apiserver's error wording. */
public final class Bodies {
  public static final int MAX_BODY_BYTES = 3 * 1024 * 1024;


  private Bodies() {
  }

  /** The media type without parameters, lower case; "" when absent. */
  public static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase();
  }

  /** Parses JSON or YAML; a document that does not parse is a 400 worded as kube-apiserver words it. */
  public static JsonNode parse(Buffer body, String mediaType, ResourceKind kind) {
    if (body == null || body.length() == 0) {
      throw ApiException.badRequest(cannotBeHandled(kind, "Object 'Kind' is missing in ''"));
    }
    try {
      boolean yaml = mediaType.equals("application/yaml") || mediaType.equals("application/apply-patch+yaml");
      JsonNode n = yaml ? Json.YAML_STRICT.readTree(body.getBytes()) : Json.MAPPER.readTree(body.getBytes());
      if (n == null || n.isMissingNode()) {
        throw ApiException.badRequest(cannotBeHandled(kind, "Object 'Kind' is missing in ''"));
      }
      return n;
    } catch (ApiException e) {
      throw e;
    } catch (Exception e) {
      String msg = firstLine(e.getMessage());
      throw ApiException.badRequest(cannotBeHandled(kind, msg));
    }
  }

  /** Whether the raw JSON repeats a key somewhere (kube's strict decoding reports it). */
  public static String duplicateField(Buffer body, String mediaType) {
    if (mediaType.equals("application/yaml") || mediaType.equals("application/apply-patch+yaml")) {
      return null; // YAML duplicates already fail to parse
    }
    try {
      Json.STRICT.readTree(body.getBytes());
      return null;
    } catch (Exception e) {
      String m = e.getMessage();
      int i = m == null ? -1 : m.indexOf("Duplicate field '");
      if (i < 0) {
        return null;
      }
      int end = m.indexOf('\'', i + 17);
      return m.substring(i + 17, end);
    }
  }

  /**
   * Checks apiVersion and kind of a body for {@code kind}, filling them when absent (as kube defaults an
   * empty kind/apiVersion on POST/PUT to the endpoint's).
   */
  public static ObjectNode asObjectOf(JsonNode node, ResourceKind kind) {
    if (!(node instanceof ObjectNode obj)) {
      throw ApiException.badRequest(cannotBeHandled(kind,
          "json: cannot unmarshal " + typeName(node) + " into Go value of type map[string]interface {}"));
    }
    String apiVersion = obj.path("apiVersion").asText("");
    String k = obj.path("kind").asText("");
    if (!apiVersion.isEmpty() && !apiVersion.equals(kind.apiVersion())) {
      throw ApiException.badRequest("the API version in the data (" + apiVersion
          + ") does not match the expected API version (" + kind.apiVersion() + ")");
    }
    if (!k.isEmpty() && !k.equals(kind.kind())) {
      throw ApiException.badRequest("the kind in the data (" + k + ") does not match the expected kind ("
          + kind.kind() + ")");
    }
    if (obj.has("metadata") && !obj.get("metadata").isObject() && !obj.get("metadata").isNull()) {
      throw ApiException.badRequest(cannotBeHandled(kind,
          "json: cannot unmarshal " + typeName(obj.get("metadata")) + " into Go struct field "
              + kind.kind() + ".metadata of type v1.ObjectMeta"));
    }
    requireMetadataTypes(obj, kind);
    requireStorableText(obj, kind);
    obj.put("apiVersion", kind.apiVersion());
    obj.put("kind", kind.kind());
    if (!obj.has("metadata") || obj.get("metadata").isNull()) {
      obj.putObject("metadata");
    }
    return obj;
  }

  /** A body whose metadata does not decode into ObjectMeta is undecodable: 400, as kube answers. */
  public static void requireMetadataTypes(ObjectNode obj, ResourceKind kind) {
    String bad = ObjectMetaTypes.mismatch(obj.get("metadata"));
    if (bad != null) {
      throw ApiException.badRequest(cannotBeHandled(kind, bad));
    }
  }

  /**
   * PostgreSQL's text and jsonb cannot hold U+0000; an object carrying it anywhere (a key, an annotation, a
   * spec string) is refused as invalid at that field rather than failing in the database.
   */
  public static void requireStorableText(ObjectNode obj, ResourceKind kind) {
    String path = nulPath(obj, "");
    if (path != null) {
      String name = obj.path("metadata").path("name").isTextual() ? obj.path("metadata").path("name").asText() : "";
      throw ApiException.invalid(kind.group(), kind.kind(), name.replace("\u0000", ""),
          List.of(FieldError.invalid(path.isEmpty() ? "<root>" : path, null, "must not contain NUL characters")));
    }
  }

  private static String nulPath(JsonNode n, String at) {
    if (n.isTextual()) {
      return n.textValue().indexOf('\u0000') >= 0 ? at : null;
    }
    if (n.isObject()) {
      for (var it = n.fields(); it.hasNext(); ) {
        var e = it.next();
        String here = at.isEmpty() ? e.getKey() : at + "." + e.getKey();
        if (e.getKey().indexOf('\u0000') >= 0) {
          return here.replace("\u0000", "\\u0000");
        }
        String inner = nulPath(e.getValue(), here);
        if (inner != null) {
          return inner;
        }
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        String inner = nulPath(n.get(i), at + "[" + i + "]");
        if (inner != null) {
          return inner;
        }
      }
    }
    return null;
  }

  public static String cannotBeHandled(ResourceKind kind, String why) {
    return kind.kind() + " in version \"" + kind.version() + "\" cannot be handled as a " + kind.kind() + ": " + why;
  }

  private static String typeName(JsonNode n) {
    if (n == null || n.isNull()) {
      return "null";
    }
    if (n.isArray()) {
      return "array";
    }
    if (n.isTextual()) {
      return "string";
    }
    if (n.isNumber()) {
      return "number";
    }
    if (n.isBoolean()) {
      return "bool";
    }
    return "object";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid body";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
