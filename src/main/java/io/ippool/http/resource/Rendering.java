package io.ippool.http.resource;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.http.Negotiation;
import io.ippool.http.Responses;
import io.ippool.registry.KindDefinition;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Writes objects and lists in the negotiated representation (JSON, YAML, Table, PartialObjectMetadata). */
final class Rendering {
  private Rendering() {
  }

  static void object(RoutingContext ctx, int code, Negotiation.Choice choice, KindDefinition def, ObjectNode obj) {
    switch (choice.format()) {
      case YAML -> Responses.yaml(ctx, code, obj);
      case TABLE -> {
        ObjectNode listMeta = Responses.F.objectNode();
        listMeta.put("resourceVersion", obj.path("metadata").path("resourceVersion").asText());
        Responses.json(ctx, code, def.table().table(tableApiVersion(choice), List.of(obj), listMeta,
            includeObject(ctx), true));
      }
      case PARTIAL -> Responses.json(ctx, code, partial(choice, obj));
      default -> Responses.json(ctx, code, obj);
    }
  }

  static void list(RoutingContext ctx, Negotiation.Choice choice, KindDefinition def, List<ObjectNode> items,
                   ObjectNode listMeta) {
    switch (choice.format()) {
      case TABLE -> Responses.json(ctx, 200, def.table().table(tableApiVersion(choice), items, listMeta,
          includeObject(ctx), true));
      case PARTIAL -> {
        ObjectNode l = Responses.F.objectNode();
        l.put("kind", "PartialObjectMetadataList");
        l.put("apiVersion", "meta.k8s.io/" + choice.transformVersion());
        l.set("metadata", listMeta);
        ArrayNode arr = l.putArray("items");
        items.forEach(i -> arr.add(partial(choice, i)));
        Responses.json(ctx, 200, l);
      }
      default -> {
        ObjectNode l = plainList(def, items, listMeta);
        if (choice.format() == Negotiation.Format.YAML) {
          Responses.yaml(ctx, 200, l);
        } else {
          Responses.json(ctx, 200, l);
        }
      }
    }
  }

  static ObjectNode plainList(KindDefinition def, List<ObjectNode> items, ObjectNode listMeta) {
    ObjectNode l = Responses.F.objectNode();
    l.put("apiVersion", def.kind().apiVersion());
    l.putArray("items").addAll(items);
    l.put("kind", def.kind().listKind());
    l.set("metadata", listMeta);
    return l;
  }

  static ObjectNode partial(Negotiation.Choice choice, ObjectNode obj) {
    ObjectNode p = Responses.F.objectNode();
    p.put("kind", "PartialObjectMetadata");
    p.put("apiVersion", "meta.k8s.io/" + (choice.transformVersion() == null ? "v1" : choice.transformVersion()));
    p.set("metadata", obj.path("metadata").deepCopy());
    return p;
  }

  static String tableApiVersion(Negotiation.Choice choice) {
    return "meta.k8s.io/" + choice.transformVersion();
  }

  static String includeObject(RoutingContext ctx) {
    String v = ctx.request().getParam("includeObject");
    return v == null || v.isEmpty() ? "Metadata" : v;
  }
}
