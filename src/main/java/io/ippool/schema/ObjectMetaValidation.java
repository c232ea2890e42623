package io.ippool.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.api.NameValidation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * ObjectMeta rules kube-apiserver applies to every custom resource (apimachinery api/validation objectmeta.go
 * with NameIsDNSSubdomain, as the CRD strategy passes it). Field paths start at {@code metadata}. Maps are
 * checked in sorted key order so the message list is stable (Go iterates them randomly).
 */
public final class ObjectMetaValidation {
  static final int TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
  static final int FIELD_MANAGER_MAX = 128;
  static final int SUBRESOURCE_NAME_MAX = 256;

  private ObjectMetaValidation() {
  }

  /** Validation on create (name generation already done by the caller). {@code metadata} may be null. */
  public static List<FieldError> validate(ObjectNode metadata, boolean namespaced) {
    ObjectNode m = metadata == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : metadata;
    List<FieldError> errs = new ArrayList<>();
    String generateName = text(m, "generateName");
    if (!generateName.isEmpty()) {
      for (String msg : NameValidation.nameIsDnsSubdomain(generateName, true)) {
        errs.add(FieldError.invalid("metadata.generateName", generateName, msg));
      }
    }
    String name = text(m, "name");
    if (name.isEmpty()) {
      errs.add(FieldError.required("metadata.name", "name or generateName is required"));
    } else {
      for (String msg : NameValidation.nameIsDnsSubdomain(name, false)) {
        errs.add(FieldError.invalid("metadata.name", name, msg));
      }
    }
    String namespace = text(m, "namespace");
    if (namespaced) {
      if (namespace.isEmpty()) {
        errs.add(FieldError.required("metadata.namespace", ""));
      } else {
        for (String msg : NameValidation.nameIsDnsLabel(namespace, false)) {
          errs.add(FieldError.invalid("metadata.namespace", namespace, msg));
        }
      }
    } else if (!namespace.isEmpty()) {
      errs.add(FieldError.forbidden("metadata.namespace", "not allowed on this type"));
    }
    long generation = m.path("generation").asLong(0);
    if (generation < 0) {
      errs.add(FieldError.invalid("metadata.generation", generation, "must be greater than or equal to 0"));
    }
    common(m, errs);
    errs.addAll(finalizers(m));
    return errs;
  }

  /** Validation on update (ValidateObjectMetaAccessorUpdate), old = the stored object's metadata. */
  public static List<FieldError> validateUpdate(ObjectNode newMeta, ObjectNode oldMeta) {
    List<FieldError> errs = new ArrayList<>();
    if (oldMeta.hasNonNull("deletionTimestamp")) {
      List<String> added = new ArrayList<>();
      List<String> old = strings(oldMeta.path("finalizers"));
      for (String f : strings(newMeta.path("finalizers"))) {
        if (!old.contains(f) && !added.contains(f)) {
          added.add(f);
        }
      }
      if (!added.isEmpty()) {
        added.sort(null);
        errs.add(FieldError.forbidden("metadata.finalizers",
            "no new finalizers can be added if the object is being deleted, found new finalizers []string{"
                + String.join(", ", added.stream().map(s -> "\"" + s + "\"").toList()) + "}"));
      }
    }
    String rv = text(newMeta, "resourceVersion");
    if (rv.isEmpty()) {
      errs.add(FieldError.invalid("metadata.resourceVersion", rv, "must be specified for an update"));
    }
    long newGen = newMeta.path("generation").asLong(0);
    if (newGen < oldMeta.path("generation").asLong(0)) {
      errs.add(FieldError.invalid("metadata.generation", newGen, "must not be decremented"));
    }
    for (String f : List.of("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds")) {
      JsonNode nv = newMeta.get(f);
      JsonNode ov = oldMeta.get(f);
      if (!Objects.equals(normal(nv), normal(ov))) {
        Object bad = nv == null || nv.isNull() ? (f.equals("deletionTimestamp") || f.equals("deletionGracePeriodSeconds") ? null : "")
            : JsonKinds.badValue(nv);
        errs.add(FieldError.invalid("metadata." + f, bad, "field is immutable"));
      }
    }
    common(newMeta, errs);
    return errs;
  }

  /** Go compares "" and an absent string field as equal. */
  private static JsonNode normal(JsonNode n) {
    if (n == null || n.isNull() || (n.isTextual() && n.asText().isEmpty())) {
      return null;
    }
    return n;
  }

  private static void common(ObjectNode m, List<FieldError> errs) {
    labels(m.path("labels"), errs);
    annotations(m.path("annotations"), errs);
    ownerReferences(m.path("ownerReferences"), errs);
    managedFields(m.path("managedFields"), errs);
  }

  private static void labels(JsonNode labels, List<FieldError> errs) {
    for (var e : sorted(labels).entrySet()) {
      for (String msg : NameValidation.qualifiedName(e.getKey())) {
        errs.add(FieldError.invalid("metadata.labels", e.getKey(), msg));
      }
      for (String msg : NameValidation.labelValue(e.getValue())) {
        errs.add(FieldError.invalid("metadata.labels", e.getValue(), msg));
      }
    }
  }

  private static void annotations(JsonNode annotations, List<FieldError> errs) {
    long total = 0;
    for (var e : sorted(annotations).entrySet()) {
      // Case does not matter for annotation keys, so kube lowercases before the qualified-name check.
      for (String msg : NameValidation.qualifiedName(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
        errs.add(FieldError.invalid("metadata.annotations", e.getKey(), msg));
      }
      total += utf8Length(e.getKey()) + utf8Length(e.getValue());
    }
    if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
      errs.add(new FieldError(FieldError.Type.TOO_LONG, "metadata.annotations", null,
          "may not be more than " + TOTAL_ANNOTATION_SIZE_LIMIT + " bytes"));
    }
  }

  private static void ownerReferences(JsonNode refs, List<FieldError> errs) {
    String firstController = "";
    for (JsonNode ref : iterable(refs)) {
      String apiVersion = text(ref, "apiVersion");
      String kind = text(ref, "kind");
      String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
      if (version.isEmpty()) {
        errs.add(FieldError.invalid("metadata.ownerReferences.apiVersion", apiVersion, "version must not be empty"));
      }
      if (kind.isEmpty()) {
        errs.add(FieldError.invalid("metadata.ownerReferences.kind", kind, "kind must not be empty"));
      }
      if (text(ref, "name").isEmpty()) {
        errs.add(FieldError.invalid("metadata.ownerReferences.name", "", "name must not be empty"));
      }
      if (text(ref, "uid").isEmpty()) {
        errs.add(FieldError.invalid("metadata.ownerReferences.uid", "", "uid must not be empty"));
      }
      if (apiVersion.equals("v1") && kind.equals("Event")) {
        errs.add(FieldError.invalid("metadata.ownerReferences", GoJson.write(ref),
            "/v1, Kind=Event is disallowed from being an owner"));
      }
      if (ref.path("controller").asBoolean(false)) {
        String current = kind + "/" + text(ref, "name");
        if (!firstController.isEmpty()) {
          errs.add(FieldError.invalid("metadata.ownerReferences", GoJson.write(refs),
              "Only one reference can have Controller set to true. Found \"true\" in references for "
                  + firstController + " and " + current));
        } else {
          firstController = current;
        }
      }
    }
  }

  private static List<FieldError> finalizers(ObjectNode m) {
    List<FieldError> errs = new ArrayList<>();
    List<String> finalizers = strings(m.path("finalizers"));
    for (String f : finalizers) {
      for (String msg : NameValidation.qualifiedName(f)) {
        errs.add(FieldError.invalid("metadata.finalizers", f, msg));
      }
    }
    if (finalizers.contains("orphan") && finalizers.contains("foregroundDeletion")) {
      errs.add(FieldError.invalid("metadata.finalizers", GoJson.write(m.path("finalizers")),
          "finalizer orphan and foregroundDeletion cannot be both set"));
    }
    return errs;
  }

  private static void managedFields(JsonNode entries, List<FieldError> errs) {
    int i = 0;
    for (JsonNode e : iterable(entries)) {
      String p = "metadata.managedFields[" + i++ + "]";
      String op = text(e, "operation");
      if (!op.equals("Apply") && !op.equals("Update")) {
        errs.add(FieldError.invalid(p + ".operation", op, "must be `Apply` or `Update`"));
      }
      String fieldsType = text(e, "fieldsType");
      if (!fieldsType.isEmpty() && !fieldsType.equals("FieldsV1")) {
        errs.add(FieldError.invalid(p + ".fieldsType", fieldsType, "must be `FieldsV1`"));
      }
      String manager = text(e, "manager");
      if (manager.length() > FIELD_MANAGER_MAX) {
        errs.add(new FieldError(FieldError.Type.TOO_LONG, p + ".manager", null,
            "may not be more than " + FIELD_MANAGER_MAX + " bytes"));
      } else if (!manager.codePoints().allMatch(ObjectMetaValidation::printable)) {
        errs.add(FieldError.invalid(p + ".manager", manager, "must only contain printable characters"));
      }
      if (text(e, "subresource").length() > SUBRESOURCE_NAME_MAX) {
        errs.add(new FieldError(FieldError.Type.TOO_LONG, p + ".subresource", null,
            "may not be more than " + SUBRESOURCE_NAME_MAX + " bytes"));
      }
    }
  }

  /** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
  private static boolean printable(int cp) {
    if (cp == ' ') {
      return true;
    }
    int t = Character.getType(cp);
    return !(t == Character.CONTROL || t == Character.FORMAT || t == Character.SURROGATE || t == Character.PRIVATE_USE
        || t == Character.UNASSIGNED || t == Character.SPACE_SEPARATOR || t == Character.LINE_SEPARATOR
        || t == Character.PARAGRAPH_SEPARATOR);
  }

  private static TreeMap<String, String> sorted(JsonNode map) {
    TreeMap<String, String> out = new TreeMap<>();
    if (map.isObject()) {
      map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }

  private static Iterable<JsonNode> iterable(JsonNode n) {
    return n.isArray() ? n : List.of();
  }

  private static List<String> strings(JsonNode arr) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : iterable(arr)) {
      out.add(n.asText());
    }
    return out;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  private static long utf8Length(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }
}
