package io.ippool.http.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.api.Json;
import io.ippool.api.ResourceKind;
import io.ippool.errors.ApiException;
import io.ippool.http.Bodies;
import io.ippool.http.Negotiation;
import io.ippool.http.RequestInfo;
import io.ippool.http.RequestUser;
import io.ippool.http.Responses;
import io.ippool.registry.DeleteOptions;
import io.ippool.registry.KindDefinition;
import io.ippool.registry.ResourceRegistry;
import io.ippool.registry.WriteOptions;
import io.ippool.registry.patch.JsonPatch;
import io.ippool.registry.patch.MergePatch;
import io.ippool.store.ObjectKey;
import io.ippool.store.WriteResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/** create, update, patch, delete and deletecollection, decoding and answering as kube-apiserver does. */
final class WriteHandlers {
  static final String PATCH_TYPES = "application/json-patch+json, application/merge-patch+json, "
      + "application/apply-patch+yaml";
  private static final List<String> BODY_TYPES = List.of("application/json", "application/yaml", "");

  private final ResourceRegistry registry;
  private final ServerSideApply apply;

  WriteHandlers(ResourceRegistry registry, ServerSideApply apply) {
    this.registry = registry;
    this.apply = apply;
  }

  Future<Void> create(RoutingContext ctx, RequestInfo ri, KindDefinition def) {
    Negotiation.Choice choice = Negotiation.negotiate(ctx.request().getHeader("Accept"), false);
    WriteOptions opts = Options.write(ctx, "CreateOptions", false);
    ObjectNode obj = decodeObject(ctx, def, opts);
    if (!ObjectMetaRulesView.resourceVersion(obj).isEmpty() && !opts.dryRun()) {
      throw new ApiException(500, "", "resourceVersion should not be set on objects to be created",
          ApiException.Details.none());
    }
    List<String> warnings = concat(duplicateFieldWarnings(ctx, opts), unknownFieldWarnings(def, obj, opts));
    def.schema().prune(obj);
    def.schema().applyDefaults(obj);
    String name = obj.path("metadata").path("name").asText("");
    if (name.isEmpty() && obj.path("metadata").path("generateName").asText("").isEmpty()) {
      throw ApiException.invalid(def.kind().group(), def.kind().kind(), "",
          List.of(FieldError.required("metadata.name", "name or generateName is required")));
    }
    return registry.create(def, ri.namespace(), obj, opts).map(r -> {
      Responses.warnings(ctx, concat(concat(warnings, opts.admissionWarnings()), r.warnings()));
      Rendering.object(ctx, 201, choice, def, r.object());
      return null;
    });
  }

  Future<Void> update(RoutingContext ctx, RequestInfo ri, KindDefinition def) {
    Negotiation.Choice choice = Negotiation.negotiate(ctx.request().getHeader("Accept"), false);
    WriteOptions opts = Options.write(ctx, "UpdateOptions", false);
    ObjectNode obj = decodeObject(ctx, def, opts);
    String bodyName = obj.path("metadata").path("name").asText("");
    if (!bodyName.equals(ri.name())) {
      throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL ("
          + ri.name() + ")");
    }
    List<String> warnings = concat(duplicateFieldWarnings(ctx, opts), unknownFieldWarnings(def, obj, opts));
    def.schema().prune(obj);
    def.schema().applyDefaults(obj);
    return registry.update(def, key(ri, def), obj, opts, subresource(ri)).map(r -> {
      Responses.warnings(ctx, concat(concat(warnings, opts.admissionWarnings()), r.warnings()));
      Rendering.object(ctx, 200, choice, def, r.object());
      return null;
    });
  }

  Future<Void> patch(RoutingContext ctx, RequestInfo ri, KindDefinition def) {
    Negotiation.Choice choice = Negotiation.negotiate(ctx.request().getHeader("Accept"), false);
    String type = Bodies.mediaType(ctx.request().getHeader("Content-Type"));
    if (type.equals("application/apply-patch+yaml")) {
      WriteOptions opts = Options.write(ctx, "PatchOptions", true);
      return apply.apply(ctx, ri, def, opts).map(r -> {
        Responses.warnings(ctx, concat(opts.admissionWarnings(), r.result().warnings()));
        Rendering.object(ctx, r.created() ? 201 : 200, choice, def, r.result().object());
        return null;
      });
    }
    if (!type.equals("application/json-patch+json") && !type.equals("application/merge-patch+json")) {
      throw ApiException.unsupportedMediaType("the body of the request was in an unknown format - accepted media "
          + "types include: " + PATCH_TYPES);
    }
    WriteOptions opts = Options.write(ctx, "PatchOptions", false);
    Buffer body = ctx.body().buffer();
    JsonNode patch;
    try {
      patch = Json.MAPPER.readTree(body == null ? new byte[0] : body.getBytes());
      if (patch == null || patch.isMissingNode()) {
        throw new IllegalArgumentException("EOF");
      }
    } catch (Exception e) {
      throw ApiException.badRequest("error decoding patch: " + e.getMessage().split("\n")[0]);
    }
    boolean jsonPatch = type.equals("application/json-patch+json");
    if (jsonPatch && patch.isArray() && patch.size() > JsonPatch.MAX_OPERATIONS) {
      throw ApiException.tooLarge("The allowed maximum operations in a JSON patch is " + JsonPatch.MAX_OPERATIONS
          + ", got " + patch.size());
    }
    List<String> warnings = new ArrayList<>();
    JsonNode thePatch = patch;
    return registry.patch(def, key(ri, def), current -> {
      JsonNode patched = applyPatch(jsonPatch, current, thePatch);
      if (!(patched instanceof ObjectNode obj)) {
        throw ApiException.badRequest("patched object is not a JSON object");
      }
      checkIdentity(def.kind(), obj);
      Bodies.requireMetadataTypes(obj, def.kind());
      Bodies.requireStorableText(obj, def.kind());
      List<String> unknown = def.schema().unknownFields(obj);
      if (!unknown.isEmpty()) {
        String text = strictMessage(unknown);
        if (opts.fieldValidation().equals("Strict")) {
          throw ApiException.invalid("", "", "", List.of(FieldError.invalid("patch", Json.write(obj), text)));
        }
        if (opts.fieldValidation().equals("Warn")) {
          unknown.forEach(u -> warnings.add("unknown field \"" + u + "\""));
        }
      }
      return obj;
    }, opts, subresource(ri)).map(r -> {
      Responses.warnings(ctx, concat(concat(warnings, opts.admissionWarnings()), r.warnings()));
      Rendering.object(ctx, 200, choice, def, r.object());
      return null;
    });
  }

  Future<Void> delete(RoutingContext ctx, RequestInfo ri, KindDefinition def) {
    Negotiation.Choice choice = Negotiation.negotiate(ctx.request().getHeader("Accept"), false);
    DeleteOptions opts = deleteOptions(ctx);
    return registry.delete(def, key(ri, def), opts).map(r -> {
      Responses.warnings(ctx, r.warnings());
      if (r.removed()) {
        Responses.json(ctx, 200, Responses.deletedStatus(ri.name(), def.kind().group(), def.kind().plural(),
            r.object().path("metadata").path("uid").asText(null)));
      } else {
        Rendering.object(ctx, 200, choice, def, r.object());
      }
      return null;
    });
  }

  /** Deletes every match, one by one with the item rules; answers the list of deleted/terminating objects. */
  Future<Void> deleteCollection(RoutingContext ctx, RequestInfo ri, KindDefinition def) {
    ReadHandlers.ListQuery q = ReadHandlers.listQuery(ctx, def, false);
    DeleteOptions opts = deleteOptions(ctx);
    String ns = def.kind().namespaced() ? (ri.namespace().isEmpty() ? null : ri.namespace()) : "";
    return registry.store().list(def.kind(), ns, null, "", "", 0, q::matches).compose(page -> {
      List<ObjectNode> out = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (ObjectNode obj : page.items()) {
        ObjectKey k = new ObjectKey(def.kind(), obj.path("metadata").path("namespace").asText(""),
            obj.path("metadata").path("name").asText());
        chain = chain.compose(v -> registry.delete(def, k, opts).<Void>map(r -> {
          out.add(r.object());
          return null;
        }).recover(err -> err instanceof ApiException e && e.code() == 404 ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture(err)));
      }
      return chain.map(v -> {
        ObjectNode meta = Responses.F.objectNode();
        meta.put("resourceVersion", Long.toString(page.resourceVersion()));
        Responses.json(ctx, 200, Rendering.plainList(def, out, meta));
        return null;
      });
    });
  }

  // ---------------------------------------------------------------- decoding

  private ObjectNode decodeObject(RoutingContext ctx, KindDefinition def, WriteOptions opts) {
    String type = Bodies.mediaType(ctx.request().getHeader("Content-Type"));
    if (!BODY_TYPES.contains(type)) {
      throw ApiException.unsupportedMediaType("the body of the request was in an unknown format - accepted media "
          + "types include: application/json, application/yaml");
    }
    Buffer body = ctx.body().buffer();
    JsonNode node = Bodies.parse(body, type, def.kind());
    if (opts.fieldValidation().equals("Strict")) {
      String dup = Bodies.duplicateField(body, type);
      if (dup != null) {
        throw ApiException.badRequest(Bodies.cannotBeHandled(def.kind(), "strict decoding error: json: "
            + "duplicate field \"" + dup + "\""));
      }
    }
    return Bodies.asObjectOf(node, def.kind());
  }

  /** Warn: a repeated key (the last one won) is reported; Strict refused it while decoding. */
  private static List<String> duplicateFieldWarnings(RoutingContext ctx, WriteOptions opts) {
    if (!opts.fieldValidation().equals("Warn")) {
      return List.of();
    }
    String dup = Bodies.duplicateField(ctx.body().buffer(),
        Bodies.mediaType(ctx.request().getHeader("Content-Type")));
    return dup == null ? List.of() : List.of("duplicate field \"" + dup + "\"");
  }

  /** Strict: 400; Warn: one warning per field; Ignore: nothing. Unknown fields are pruned in every case. */
  private static List<String> unknownFieldWarnings(KindDefinition def, ObjectNode obj, WriteOptions opts) {
    List<String> unknown = def.schema().unknownFields(obj);
    if (unknown.isEmpty() || opts.fieldValidation().equals("Ignore")) {
      return List.of();
    }
    if (opts.fieldValidation().equals("Strict")) {
      throw ApiException.badRequest(Bodies.cannotBeHandled(def.kind(), strictMessage(unknown)));
    }
    return unknown.stream().map(u -> "unknown field \"" + u + "\"").toList();
  }

  static String strictMessage(List<String> unknown) {
    return "strict decoding error: " + String.join(", ", unknown.stream().map(u -> "unknown field \"" + u + "\"")
        .toList());
  }

  private static JsonNode applyPatch(boolean jsonPatch, ObjectNode current, JsonNode patch) {
    if (!jsonPatch) {
      if (!patch.isObject()) {
        throw ApiException.badRequest("error decoding patch: json: cannot unmarshal " + (patch.isArray() ? "array"
            : "value") + " into Go value of type map[string]interface {}");
      }
      return MergePatch.apply(current, patch);
    }
    try {
      return JsonPatch.apply(current, patch);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    } catch (JsonPatch.PatchFailure e) {
      throw new ApiException(422, "Invalid", "the server rejected our request due to an error in our request",
          ApiException.Details.none());
    }
  }

  /** A patch may not change what object it addresses. */
  private static void checkIdentity(ResourceKind kind, ObjectNode obj) {
    if (!kind.apiVersion().equals(obj.path("apiVersion").asText()) || !kind.kind().equals(obj.path("kind").asText())) {
      throw ApiException.badRequest("the API version in the data (" + obj.path("apiVersion").asText()
          + ") does not match the expected API version (" + kind.apiVersion() + ")");
    }
  }

  static DeleteOptions deleteOptions(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    JsonNode o = null;
    if (body != null && body.length() > 0) {
      try {
        o = Json.MAPPER.readTree(body.getBytes());
      } catch (Exception e) {
        throw ApiException.badRequest("DeleteOptions in version \"v1\" cannot be handled as a DeleteOptions: "
            + e.getMessage().split("\n")[0]);
      }
      if (!o.isObject()) {
        throw ApiException.badRequest("DeleteOptions in version \"v1\" cannot be handled as a DeleteOptions");
      }
    }
    boolean dryRun = !ctx.queryParam("dryRun").isEmpty() || (o != null && o.path("dryRun").size() > 0);
    String policy = o != null && o.hasNonNull("propagationPolicy") ? o.get("propagationPolicy").asText()
        : ctx.request().getParam("propagationPolicy");
    Boolean orphan = null;
    if (o != null && o.hasNonNull("orphanDependents")) {
      orphan = o.get("orphanDependents").asBoolean();
    } else if (ctx.request().getParam("orphanDependents") != null) {
      orphan = Boolean.valueOf(ctx.request().getParam("orphanDependents"));
    }
    List<FieldError> errs = new ArrayList<>();
    if (policy != null && !List.of("Orphan", "Background", "Foreground").contains(policy)) {
      errs.add(FieldError.notSupported("propagationPolicy", policy, List.of("Foreground", "Background", "Orphan")));
    }
    if (policy != null && orphan != null) {
      errs.add(FieldError.invalid("propagationPolicy", policy, "orphanDependents and deletionPropagation cannot be "
          + "both set"));
    }
    for (String d : ctx.queryParam("dryRun")) {
      if (!d.equals("All")) {
        errs.add(FieldError.notSupported("dryRun", d, List.of("All")));
      }
    }
    if (!errs.isEmpty()) {
      throw ApiException.invalid("meta.k8s.io", "DeleteOptions", "", errs);
    }
    JsonNode pre = o == null ? null : o.get("preconditions");
    String uid = pre != null && pre.hasNonNull("uid") ? pre.get("uid").asText() : null;
    String rv = pre != null && pre.hasNonNull("resourceVersion") ? pre.get("resourceVersion").asText() : null;
    return new DeleteOptions(dryRun, policy, orphan, uid, rv, RequestUser.of(ctx));
  }

  static ObjectKey key(RequestInfo ri, KindDefinition def) {
    return new ObjectKey(def.kind(), def.kind().namespaced() ? ri.namespace() : "", ri.name());
  }

  private static String subresource(RequestInfo ri) {
    return ri.subresource().isEmpty() ? null : ri.subresource();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** Tiny accessors kept here so handlers do not reach into registry internals. */
  static final class ObjectMetaRulesView {
    static String resourceVersion(ObjectNode obj) {
      return obj.path("metadata").path("resourceVersion").asText("");
    }
  }
}
