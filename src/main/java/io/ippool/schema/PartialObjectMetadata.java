package io.ippool.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The metadata-only views ({@code as=PartialObjectMetadata[List]}) used by the garbage collector's metadata
 * informers and by Table rows. The full ObjectMeta is kept, including managedFields.
 */
public final class PartialObjectMetadata {
  public static final String V1 = "meta.k8s.io/v1";
  public static final String V1BETA1 = "meta.k8s.io/v1beta1";

  private PartialObjectMetadata() {
  }

  public static ObjectNode of(ObjectNode obj) {
    return of(obj, V1);
  }

  /** {@code apiVersion} is meta.k8s.io/v1 or meta.k8s.io/v1beta1, whichever the client asked for. */
  public static ObjectNode of(ObjectNode obj, String apiVersion) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("kind", "PartialObjectMetadata");
    out.put("apiVersion", apiVersion);
    JsonNode meta = obj.get("metadata");
    out.set("metadata", meta != null && meta.isObject() ? meta.deepCopy() : JsonNodeFactory.instance.objectNode());
    return out;
  }

  public static ObjectNode list(List<ObjectNode> items, ListMeta listMeta) {
    return list(items, listMeta, V1);
  }

  public static ObjectNode list(List<ObjectNode> items, ListMeta listMeta, String apiVersion) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("kind", "PartialObjectMetadataList");
    out.put("apiVersion", apiVersion);
    out.set("metadata", listMeta.toJson());
    ArrayNode arr = out.putArray("items");
    for (ObjectNode item : items) {
      arr.add(of(item, apiVersion));
    }
    return out;
  }
}
