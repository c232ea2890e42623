package io.ippool.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.api.ResourceKind;
import io.ippool.errors.ApiException;
import io.ippool.registry.KindAdmission.Operation;
import io.ippool.store.ObjectKey;
import io.ippool.store.ResourceStore;
import io.ippool.store.WriteResult;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The generic registry: create, update, patch and delete with the exact rules kube-apiserver applies to
 * custom resources (system metadata, status subresource, generation, admission, finalizers), on top of
 * {@link ResourceStore}. Decoding and HTTP concerns stay in the http package.
 */
public final class ResourceRegistry {
  private static final int NAME_GENERATION_ATTEMPTS = 8;

  private final ResourceStore store;

  public ResourceRegistry(ResourceStore store) {
    this.store = store;
  }

  public ResourceStore store() {
    return store;
  }

  // ---------------------------------------------------------------- create

  /** {@code obj} is decoded, pruned and defaulted. Generates a name from generateName when needed. */
  public Future<WriteResult> create(KindDefinition def, String namespace, ObjectNode obj, WriteOptions opts) {
    ObjectNode meta = ObjectMetaRules.meta(obj);
    String name = meta.path("name").asText("");
    String generateName = meta.path("generateName").asText("");
    if (name.isEmpty() && !generateName.isEmpty()) {
      return createGenerated(def, namespace, obj, opts, generateName, 1);
    }
    return createNamed(def, namespace, obj, opts);
  }

  private Future<WriteResult> createGenerated(KindDefinition def, String ns, ObjectNode obj, WriteOptions opts,
                                              String prefix, int attempt) {
    ObjectNode attemptObj = obj.deepCopy();
    ObjectMetaRules.meta(attemptObj).put("name", ObjectMetaRules.generateName(prefix));
    return createNamed(def, ns, attemptObj, opts).recover(err -> {
      if (err instanceof ApiException e && "AlreadyExists".equals(e.reason())) {
        if (attempt < NAME_GENERATION_ATTEMPTS) {
          return createGenerated(def, ns, obj, opts, prefix, attempt + 1);
        }
        return Future.failedFuture(new ApiException(409, "AlreadyExists", e.getMessage()
            + ", the server was not able to generate a unique name for the object", e.details(), 1));
      }
      return Future.failedFuture(err);
    });
  }

  private Future<WriteResult> createNamed(KindDefinition def, String ns, ObjectNode obj, WriteOptions opts) {
    ResourceKind kind = def.kind();
    ObjectNode meta = ObjectMetaRules.meta(obj);
    if (def.kind().namespaced()) {
      meta.put("namespace", ns);
    } else {
      meta.remove("namespace");
    }
    String name = meta.path("name").asText("");
    ObjectMetaRules.prepareForCreate(kind, obj);
    AdmissionAttributes attrs = AdmissionAttributes.forWrite(Operation.CREATE, opts, "");
    return store.create(new ObjectKey(kind, ns, name), (tx, none) -> def.admission()
        .mutate(tx, Operation.CREATE, null, obj, attrs).compose(mutated -> {
          List<FieldError> errs = staticValidation(def, obj);
          if (!errs.isEmpty()) {
            return Future.failedFuture(invalid(kind, name, errs));
          }
          return def.admission().validate(tx, Operation.CREATE, null, obj, attrs).map(v -> {
            recordManagedFields(null, obj, opts, kind, null);
            return obj;
          });
        }), opts.dryRun());
  }

  // ---------------------------------------------------------------- update

  /** PUT: {@code obj} must carry metadata.resourceVersion equal to the stored one. */
  public Future<WriteResult> update(KindDefinition def, ObjectKey key, ObjectNode obj, WriteOptions opts,
                                    String subresource) {
    String rv = ObjectMetaRules.meta(obj).path("resourceVersion").asText("");
    if (rv.isEmpty()) {
      // CRDs never allow unconditional update; kube names the plural as the kind here.
      return Future.failedFuture(ApiException.invalid(key.kind().group(), key.kind().plural(), key.name(),
          List.of(FieldError.invalid("metadata.resourceVersion", 0, "must be specified for an update"))));
    }
    return store.update(key, (tx, current) -> {
      if (!rv.equals(ObjectMetaRules.meta(current).path("resourceVersion").asText())) {
        return Future.failedFuture(ApiException.staleResourceVersion(key.kind().group(), key.kind().plural(),
            key.name()));
      }
      return admitUpdate(def, tx, current, obj, opts, subresource);
    }, opts.dryRun());
  }

  /**
   * PATCH: {@code patcher} turns the current object into the patched one (JSON/merge patch); the result
   * then goes through the same rules as an update. A resourceVersion left in the patch must match.
   */
  public Future<WriteResult> patch(KindDefinition def, ObjectKey key, Patcher patcher, WriteOptions opts,
                                   String subresource) {
    return store.update(key, (tx, current) -> {
      ObjectNode patched;
      try {
        patched = patcher.apply(current.deepCopy());
      } catch (ApiException e) {
        return Future.failedFuture(e);
      }
      String currentRv = ObjectMetaRules.meta(current).path("resourceVersion").asText();
      String patchedRv = ObjectMetaRules.meta(patched).path("resourceVersion").asText("");
      if (!patchedRv.isEmpty() && !patchedRv.equals(currentRv)) {
        return Future.failedFuture(ApiException.staleResourceVersion(key.kind().group(), key.kind().plural(),
            key.name()));
      }
      return admitUpdate(def, tx, current, patched, opts.forPatch(), subresource);
    }, opts.dryRun());
  }

  /** Applies a patch to the current object; may throw ApiException for a patch that cannot apply. */
  @FunctionalInterface
  public interface Patcher {
    ObjectNode apply(ObjectNode current);
  }

  private Future<ObjectNode> admitUpdate(KindDefinition def, SqlConnection tx, ObjectNode current, ObjectNode obj,
                                         WriteOptions opts, String subresource) {
    ResourceKind kind = def.kind();
    String name = ObjectMetaRules.meta(current).path("name").asText();
    if (!"status".equals(subresource)) {
      def.schema().prune(obj);
      def.schema().applyDefaults(obj);
    }
    List<FieldError> metaErrs = ObjectMetaRules.prepareForUpdate(kind, current, obj, "status".equals(subresource));
    if (!metaErrs.isEmpty()) {
      return Future.failedFuture(invalid(kind, name, metaErrs));
    }
    // Admission sees the subresource: in-process kind admissions skip /status, the cluster's webhooks match it
    // by their rules (resource/subresource), as kube-apiserver does.
    AdmissionAttributes attrs = AdmissionAttributes.forWrite(Operation.UPDATE, opts, subresource);
    return def.admission().mutate(tx, Operation.UPDATE, current, obj, attrs).compose(mutated -> {
      List<FieldError> errs = staticValidation(def, obj);
      if (!errs.isEmpty()) {
        return Future.failedFuture(invalid(kind, name, errs));
      }
      def.ownFinalizers().release(obj);
      return def.admission().validate(tx, Operation.UPDATE, current, obj, attrs);
    }).map(v -> {
      recordManagedFields(current, obj, opts, kind, subresource);
      return obj;
    });
  }

  // ---------------------------------------------------------------- delete

  /**
   * DELETE: an object without finalizers goes now; one with finalizers is marked (deletionTimestamp) and
   * goes when the last finalizer is removed.
   */
  public Future<WriteResult> delete(KindDefinition def, ObjectKey key, DeleteOptions opts) {
    ResourceKind kind = def.kind();
    return store.update(key, (tx, current) -> {
      ObjectNode meta = ObjectMetaRules.meta(current);
      if (opts.preconditionUid() != null && !opts.preconditionUid().equals(meta.path("uid").asText())) {
        return Future.failedFuture(preconditionFailed(kind, key.name(), "the UID in the precondition ("
            + opts.preconditionUid() + ") does not match the UID in record (" + meta.path("uid").asText()
            + "). The object might have been deleted and then recreated"));
      }
      if (opts.preconditionResourceVersion() != null
          && !opts.preconditionResourceVersion().equals(meta.path("resourceVersion").asText())) {
        return Future.failedFuture(preconditionFailed(kind, key.name(), "the ResourceVersion in the precondition ("
            + opts.preconditionResourceVersion() + ") does not match the ResourceVersion in record ("
            + meta.path("resourceVersion").asText() + "). The object might have been modified"));
      }
      return def.admission().validate(tx, Operation.DELETE, current, current, AdmissionAttributes.forDelete(opts))
          .map(v -> markDeleted(def, current, opts));
    }, opts.dryRun());
  }

  private ObjectNode markDeleted(KindDefinition def, ObjectNode current, DeleteOptions opts) {
    ObjectNode next = current.deepCopy();
    ObjectNode meta = ObjectMetaRules.meta(next);
    Set<String> finalizers = new LinkedHashSet<>();
    meta.path("finalizers").forEach(f -> finalizers.add(f.asText()));
    boolean orphan = "Orphan".equals(opts.propagationPolicy()) || Boolean.TRUE.equals(opts.orphanDependents());
    if (opts.propagationPolicy() != null || opts.orphanDependents() != null) {
      finalizers.remove("orphan");
      finalizers.remove("foregroundDeletion");
      if (orphan) {
        finalizers.add("orphan");
      } else if ("Foreground".equals(opts.propagationPolicy())) {
        finalizers.add("foregroundDeletion");
      }
    }
    ArrayNode list = meta.putArray("finalizers");
    finalizers.forEach(list::add);
    if (!meta.has("deletionTimestamp")) {
      meta.put("deletionTimestamp", ObjectMetaRules.now());
      meta.put("deletionGracePeriodSeconds", 0);
      long gen = meta.path("generation").asLong(0);
      if (gen > 0) {
        meta.put("generation", gen + 1);
      }
    }
    def.ownFinalizers().release(next);
    if (meta.path("finalizers").size() == 0) {
      meta.remove("finalizers");
    }
    return next;
  }

  // ---------------------------------------------------------------- shared

  private static void recordManagedFields(ObjectNode current, ObjectNode obj, WriteOptions opts, ResourceKind kind,
                                          String subresource) {
    if (opts.applyFields() != null) {
      ManagedFields.recordApply(obj, opts.manager(), kind.apiVersion(), subresource, opts.applyFields(),
          ObjectMetaRules.now());
    } else {
      ManagedFields.recordUpdate(current, obj, opts.manager(), kind.apiVersion(), subresource, ObjectMetaRules.now());
    }
  }

  private static List<FieldError> staticValidation(KindDefinition def, ObjectNode obj) {
    List<FieldError> errs = new ArrayList<>(def.schema().validateMetadata(ObjectMetaRules.meta(obj)));
    errs.addAll(def.schema().validate(obj));
    return errs;
  }

  private static ApiException invalid(ResourceKind kind, String name, List<FieldError> errs) {
    return ApiException.invalid(kind.group(), kind.kind(), name, errs);
  }

  private static ApiException preconditionFailed(ResourceKind kind, String name, String why) {
    ApiException e = ApiException.conflict(kind.group(), kind.plural(), name, why);
    return new ApiException(409, "Conflict", e.getMessage(),
        new ApiException.Details(name, kind.group(), kind.kind(), List.of()));
  }
}
