package io.ippool.http.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.api.ResourceKind;
import io.ippool.errors.ApiException;
import io.ippool.http.Bodies;
import io.ippool.http.QueryFlags;
import io.ippool.http.RequestInfo;
import io.ippool.registry.FieldSets;
import io.ippool.registry.KindDefinition;
import io.ippool.registry.ManagedFields;
import io.ippool.registry.ResourceRegistry;
import io.ippool.registry.WriteOptions;
import io.ippool.store.WriteResult;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Server-side apply ({@code application/apply-patch+yaml}): field ownership per manager in managedFields,
 * conflicts when another manager owns a field whose value would change (409 worded as kube-apiserver), force
 * to take ownership, removal of fields a manager stops applying, and create-on-apply (201).
 */
final class ServerSideApply {
  /** Server-owned metadata that an applied configuration never owns. */
  private static final List<String> STRIPPED_META = List.of("name", "namespace", "creationTimestamp", "selfLink",
      "uid", "generation", "managedFields", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds");

  record Applied(WriteResult result, boolean created) {
  }

  private final ResourceRegistry registry;

  ServerSideApply(ResourceRegistry registry) {
    this.registry = registry;
  }

  Future<Applied> apply(RoutingContext ctx, RequestInfo ri, KindDefinition def, WriteOptions opts) {
    ResourceKind kind = def.kind();
    ObjectNode applied = decode(ctx, ri, def, opts);
    String subresource = ri.subresource().isEmpty() ? null : ri.subresource();
    ObjectNode owned = FieldSets.of(stripped(applied, kind, subresource), List.of(), def.schema()::isAtomicMap);
    boolean force = QueryFlags.isTrue(ctx.request().getParam("force"));
    WriteOptions applyOpts = opts.forApply(owned);
    return registry.patch(def, WriteHandlers.key(ri, def), current -> merge(current, applied, owned, opts.manager(),
            subresource, force, kind), applyOpts, subresource)
        .map(r -> new Applied(r, false))
        .recover(err -> {
          if (err instanceof ApiException e && e.code() == 404 && subresource == null) {
            ObjectNode obj = applied.deepCopy();
            def.schema().prune(obj);
            def.schema().applyDefaults(obj);
            return registry.create(def, ri.namespace(), obj, applyOpts).map(r -> new Applied(r, true));
          }
          return Future.failedFuture(err);
        });
  }

  private static ObjectNode decode(RoutingContext ctx, RequestInfo ri, KindDefinition def, WriteOptions opts) {
    ResourceKind kind = def.kind();
    JsonNode node = Bodies.parse(ctx.body().buffer(), "application/apply-patch+yaml", kind);
    if (!(node instanceof ObjectNode obj)) {
      throw ApiException.badRequest("error decoding YAML: the apply patch must be an object");
    }
    String apiVersion = obj.path("apiVersion").asText("");
    if (!apiVersion.equals(kind.apiVersion())) {
      throw ApiException.badRequest("Incorrect version specified in apply patch. Specified patch version: "
          + apiVersion + ", expected: " + kind.apiVersion());
    }
    if (!kind.kind().equals(obj.path("kind").asText(""))) {
      throw ApiException.badRequest("Incorrect kind specified in apply patch. Specified patch kind: "
          + obj.path("kind").asText("") + ", expected: " + kind.kind());
    }
    Bodies.requireMetadataTypes(obj, kind);
    Bodies.requireStorableText(obj, kind);
    if (!obj.path("metadata").path("managedFields").isMissingNode()
        && !obj.path("metadata").path("managedFields").isNull()) {
      throw ApiException.badRequest("metadata.managedFields must be nil");
    }
    String name = obj.path("metadata").path("name").asText("");
    if (!name.isEmpty() && !name.equals(ri.name())) {
      throw ApiException.badRequest("the name of the object (" + name + ") does not match the name on the URL ("
          + ri.name() + ")");
    }
    ((ObjectNode) obj.with("metadata")).put("name", ri.name());
    List<String> unknown = def.schema().unknownFields(obj);
    if (!unknown.isEmpty() && !opts.fieldValidation().equals("Ignore")) {
      if (opts.fieldValidation().equals("Strict")) {
        throw ApiException.badRequest("error strict decoding patch: " + String.join(", ",
            unknown.stream().map(u -> "unknown field \"" + u + "\"").toList()));
      }
    }
    def.schema().prune(obj);
    return obj;
  }

  /** The applied configuration without what the server owns (and without status on the main resource). */
  private static ObjectNode stripped(ObjectNode applied, ResourceKind kind, String subresource) {
    ObjectNode s = applied.deepCopy();
    s.remove(List.of("apiVersion", "kind"));
    if (s.get("metadata") instanceof ObjectNode m) {
      m.remove(STRIPPED_META);
      if (m.isEmpty()) {
        s.remove("metadata");
      }
    }
    if ("status".equals(subresource)) {
      s.remove(List.of("metadata", "spec"));
    } else if (kind.hasStatusSubresource()) {
      s.remove("status");
    }
    return s;
  }

  private static ObjectNode merge(ObjectNode current, ObjectNode applied, ObjectNode owned, String manager,
                                  String subresource, boolean force, ResourceKind kind) {
    ArrayNode entries = current.path("metadata").get("managedFields") instanceof ArrayNode a ? a
        : ((ObjectNode) current.with("metadata")).putArray("managedFields");
    JsonNode previous = null;
    for (JsonNode e : entries) {
      if (ManagedFields.isApplyEntryOf(e, manager, subresource)) {
        previous = e.path("fieldsV1");
      }
    }
    // Conflicts: a field we apply with a different value, owned by someone else.
    Map<String, List<String>> conflicts = new TreeMap<>();
    List<List<String>> ours = FieldSets.leaves(owned);
    for (JsonNode e : entries) {
      if (ManagedFields.isApplyEntryOf(e, manager, subresource)) {
        continue;
      }
      for (List<String> path : ours) {
        if (FieldSets.owns(e.path("fieldsV1"), path)
            && !equalValues(FieldSets.valueAt(current, path), FieldSets.valueAt(applied, path))) {
          if (force) {
            if (e.path("fieldsV1") instanceof ObjectNode f) {
              FieldSets.remove(f, path);
            }
          } else {
            conflicts.computeIfAbsent(managerLabel(e), k -> new ArrayList<>()).add(FieldSets.print(path));
          }
        }
      }
    }
    if (!conflicts.isEmpty()) {
      throw conflict(conflicts);
    }
    dropEmptyEntries(entries);
    ObjectNode result = current.deepCopy();
    // Fields this manager applied before and no longer does go away, unless another manager still owns them.
    if (previous != null) {
      for (List<String> path : FieldSets.leaves(previous)) {
        if (FieldSets.owns(owned, path)) {
          continue;
        }
        boolean ownedByOthers = false;
        for (JsonNode e : entries) {
          if (!ManagedFields.isApplyEntryOf(e, manager, subresource) && FieldSets.owns(e.path("fieldsV1"), path)) {
            ownedByOthers = true;
          }
        }
        if (!ownedByOthers) {
          removeValue(result, path);
        }
      }
    }
    deepMerge(result, stripped(applied, kind, subresource), owned);
    ((ObjectNode) result.with("metadata")).set("managedFields", entries.deepCopy());
    return result;
  }

  /** Sets every applied value; objects merge field by field unless the field set marks them atomic (a leaf). */
  private static void deepMerge(ObjectNode target, JsonNode applied, JsonNode owned) {
    applied.fields().forEachRemaining(e -> {
      JsonNode fieldOwn = owned.path("f:" + e.getKey());
      JsonNode cur = target.get(e.getKey());
      boolean recurse = e.getValue().isObject() && !fieldOwn.isEmpty() && cur instanceof ObjectNode;
      if (recurse) {
        deepMerge((ObjectNode) cur, e.getValue(), fieldOwn);
      } else {
        target.set(e.getKey(), e.getValue().deepCopy());
      }
    });
  }

  private static void removeValue(ObjectNode obj, List<String> path) {
    JsonNode parent = FieldSets.valueAt(obj, path.subList(0, path.size() - 1));
    if (parent instanceof ObjectNode p) {
      p.remove(path.get(path.size() - 1));
    }
  }

  private static boolean equalValues(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  private static void dropEmptyEntries(ArrayNode entries) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      JsonNode f = entries.get(i).path("fieldsV1");
      if (f.isObject() && f.isEmpty()) {
        entries.remove(i);
      }
    }
  }

  /** kube's printManager: quoted name, the subresource, and "using <apiVersion>" for Update managers. */
  private static String managerLabel(JsonNode e) {
    StringBuilder b = new StringBuilder("\"").append(e.path("manager").asText()).append('"');
    if (!e.path("subresource").asText("").isEmpty()) {
      b.append(" with subresource \"").append(e.path("subresource").asText()).append('"');
    }
    if ("Update".equals(e.path("operation").asText())) {
      b.append(" using ").append(e.path("apiVersion").asText());
    }
    return b.toString();
  }

  private static ApiException conflict(Map<String, List<String>> byManager) {
    int n = byManager.values().stream().mapToInt(List::size).sum();
    List<FieldError> causes = new ArrayList<>();
    byManager.forEach((m, paths) -> paths.forEach(p -> causes.add(new FieldError(
        FieldError.Type.FIELD_MANAGER_CONFLICT, p, null, "conflict with " + m))));
    String message;
    if (n == 1) {
      var only = byManager.entrySet().iterator().next();
      message = "Apply failed with 1 conflict: conflict with " + only.getKey() + ": " + only.getValue().get(0);
    } else {
      List<String> lines = new ArrayList<>();
      byManager.forEach((m, paths) -> {
        lines.add("conflicts with " + m + ":");
        paths.forEach(p -> lines.add("- " + p));
      });
      message = "Apply failed with " + n + " conflicts: " + String.join("\n", lines);
    }
    return new ApiException(409, "Conflict", message, new ApiException.Details(null, null, null, causes));
  }
}
