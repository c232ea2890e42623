package io.ippool.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Server-owned managedFields bookkeeping for non-apply writes: the writer's {@code Update} entry gains the
 * fields this write set or changed, other managers lose them, and emptied entries disappear. Lists are
 * atomic in Spiderpool's schemas, so a list is one leaf.
 */
public final class ManagedFields {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  /** Server-owned metadata that no manager owns. */
  private static final List<String> SYSTEM_META = List.of("name", "namespace", "uid", "resourceVersion",
      "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields",
      "selfLink", "generateName");

  private ManagedFields() {
  }

  /**
   * Updates {@code next}'s metadata.managedFields for a write by {@code manager}.
   *
   * @param old         the stored object, or null on create
   * @param subresource "status" or null
   */
  public static void recordUpdate(ObjectNode old, ObjectNode next, String manager, String apiVersion,
                                  String subresource, String time) {
    ObjectNode meta = ObjectMetaRules.meta(next);
    JsonNode requested = meta.get("managedFields");
    ArrayNode entries;
    if (old != null && (requested == null || requested.isNull() || requested.size() == 0)) {
      // An empty or absent list from the client means "unchanged" (kube ignores it).
      JsonNode stored = ObjectMetaRules.meta(old).get("managedFields");
      entries = stored instanceof ArrayNode a ? a.deepCopy() : F.arrayNode();
    } else if (requested instanceof ArrayNode a && a.size() == 1 && a.get(0).size() == 0) {
      // [{}] resets managedFields.
      entries = F.arrayNode();
    } else {
      entries = requested instanceof ArrayNode a ? a.deepCopy() : F.arrayNode();
    }
    ObjectNode changed = F.objectNode();
    diff(old == null ? null : stripped(old), stripped(next), changed, true);
    if (changed.isEmpty() && old != null) {
      meta.set("managedFields", entries);
      return;
    }
    ObjectNode mine = null;
    for (Iterator<JsonNode> it = entries.iterator(); it.hasNext(); ) {
      ObjectNode e = (ObjectNode) it.next();
      boolean same = manager.equals(e.path("manager").asText()) && "Update".equals(e.path("operation").asText())
          && apiVersion.equals(e.path("apiVersion").asText())
          && subresourceOf(e).equals(subresource == null ? "" : subresource);
      if (same) {
        mine = e;
        continue;
      }
      ObjectNode fields = (ObjectNode) e.path("fieldsV1");
      if (fields != null && !fields.isMissingNode()) {
        subtract(fields, changed);
        if (isEmptyTree(fields)) {
          it.remove();
        }
      }
    }
    if (mine == null) {
      mine = F.objectNode();
      mine.put("manager", manager);
      mine.put("operation", "Update");
      mine.put("apiVersion", apiVersion);
      mine.put("time", time);
      mine.put("fieldsType", "FieldsV1");
      mine.set("fieldsV1", F.objectNode());
      if (subresource != null) {
        mine.put("subresource", subresource);
      }
      entries.add(mine);
    }
    mine.put("time", time);
    ObjectNode fields = mine.get("fieldsV1") instanceof ObjectNode o ? o : mine.putObject("fieldsV1");
    union(fields, changed);
    // Keep kube's key order: manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource.
    meta.set("managedFields", entries);
  }

  /**
   * Sets {@code manager}'s Apply entry to exactly {@code fields} (what its applied configuration names), keeping
   * the other entries as the caller left them (conflicts and forced ownership are resolved before this).
   */
  public static void recordApply(ObjectNode next, String manager, String apiVersion, String subresource,
                                 ObjectNode fields, String time) {
    ObjectNode meta = ObjectMetaRules.meta(next);
    ArrayNode entries = meta.get("managedFields") instanceof ArrayNode a ? a : meta.putArray("managedFields");
    for (Iterator<JsonNode> it = entries.iterator(); it.hasNext(); ) {
      JsonNode e = it.next();
      if (isApplyEntryOf(e, manager, subresource)) {
        it.remove();
      }
    }
    ObjectNode mine = entries.addObject();
    mine.put("manager", manager);
    mine.put("operation", "Apply");
    mine.put("apiVersion", apiVersion);
    mine.put("time", time);
    mine.put("fieldsType", "FieldsV1");
    mine.set("fieldsV1", fields.deepCopy());
    if (subresource != null) {
      mine.put("subresource", subresource);
    }
  }

  public static boolean isApplyEntryOf(JsonNode e, String manager, String subresource) {
    return manager.equals(e.path("manager").asText()) && "Apply".equals(e.path("operation").asText())
        && subresourceOf(e).equals(subresource == null ? "" : subresource);
  }

  private static String subresourceOf(JsonNode e) {
    return e.path("subresource").asText("");
  }

  private static ObjectNode stripped(ObjectNode obj) {
    ObjectNode c = obj.deepCopy();
    c.remove(List.of("apiVersion", "kind"));
    JsonNode m = c.get("metadata");
    if (m instanceof ObjectNode mo) {
      mo.remove(SYSTEM_META);
    }
    return c;
  }

  /** Marks in {@code out} every leaf of {@code b} that is absent from or different in {@code a}. */
  private static void diff(JsonNode a, JsonNode b, ObjectNode out, boolean root) {
    Iterator<Map.Entry<String, JsonNode>> it = b.fields();
    while (it.hasNext()) {
      var e = it.next();
      JsonNode av = a == null ? null : a.get(e.getKey());
      JsonNode bv = e.getValue();
      if (bv.isObject() && !bv.isEmpty()) {
        ObjectNode sub = F.objectNode();
        diff(av != null && av.isObject() ? av : null, bv, sub, false);
        if (!sub.isEmpty()) {
          if (!(root && e.getKey().equals("metadata"))) {
            sub.set(".", F.objectNode());
          }
          out.set("f:" + e.getKey(), sorted(sub));
        }
      } else if (av == null || !av.equals(bv)) {
        out.set("f:" + e.getKey(), F.objectNode());
      }
    }
  }

  private static ObjectNode sorted(ObjectNode o) {
    List<String> keys = new ArrayList<>();
    o.fieldNames().forEachRemaining(keys::add);
    keys.sort((x, y) -> x.equals(".") ? -1 : y.equals(".") ? 1 : x.compareTo(y));
    ObjectNode r = F.objectNode();
    for (String k : keys) {
      r.set(k, o.get(k));
    }
    return r;
  }

  private static void union(ObjectNode into, ObjectNode add) {
    add.fields().forEachRemaining(e -> {
      JsonNode cur = into.get(e.getKey());
      if (cur instanceof ObjectNode co && e.getValue() instanceof ObjectNode ao && !ao.isEmpty()) {
        union(co, ao);
      } else if (cur == null || e.getValue().size() > 0) {
        into.set(e.getKey(), e.getValue().deepCopy());
      }
    });
    ObjectNode s = sorted(into);
    into.removeAll();
    into.setAll(s);
  }

  /** Removes from {@code from} the leaves named in {@code remove}. */
  private static void subtract(ObjectNode from, ObjectNode remove) {
    remove.fields().forEachRemaining(e -> {
      if (e.getKey().equals(".")) {
        return;
      }
      JsonNode cur = from.get(e.getKey());
      if (cur == null) {
        return;
      }
      if (e.getValue().isEmpty()) {
        from.remove(e.getKey());
      } else if (cur instanceof ObjectNode co) {
        subtract(co, (ObjectNode) e.getValue());
        if (co.size() == 0 || (co.size() == 1 && co.has("."))) {
          from.remove(e.getKey());
        }
      }
    });
  }

  private static boolean isEmptyTree(ObjectNode o) {
    return o.isEmpty();
  }
}
