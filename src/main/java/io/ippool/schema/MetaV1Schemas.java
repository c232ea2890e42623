package io.ippool.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The io.k8s.apimachinery.pkg.apis.meta.v1 component schemas our OpenAPI document references, so that
 * {@code kubectl explain sp.metadata} and friends can resolve every $ref without kube-apiserver's own spec.
 * Descriptions follow the upstream API documentation (shortened in places).
 */
final class MetaV1Schemas {
  static final String PREFIX = "io.k8s.apimachinery.pkg.apis.meta.v1.";
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private MetaV1Schemas() {
  }

  static String ref(String name) {
    return "#/components/schemas/" + PREFIX + name;
  }

  /** Adds all meta/v1 schemas to {@code schemas}. */
  static void addTo(ObjectNode schemas) {
    schemas.set(PREFIX + "ObjectMeta", objectMeta());
    schemas.set(PREFIX + "ListMeta", listMeta());
    schemas.set(PREFIX + "ManagedFieldsEntry", managedFieldsEntry());
    schemas.set(PREFIX + "OwnerReference", ownerReference());
    schemas.set(PREFIX + "FieldsV1", obj("FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\n"
        + "Each key is either a '.' representing the field itself, and will always map to an empty set, or a string"
        + " representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where"
        + " <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json"
        + " formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>',"
        + " where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty"
        + " Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in"
        + " sigs.k8s.io/structured-merge-diff"));
    ObjectNode time = F.objectNode();
    time.put("type", "string");
    time.put("format", "date-time");
    time.put("description", "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON."
        + "  Wrappers are provided for many of the factory methods that the time package offers.");
    schemas.set(PREFIX + "Time", time);
    schemas.set(PREFIX + "Patch", obj("Patch is provided to give a concrete name and type to the Kubernetes PATCH"
        + " request body."));
    schemas.set(PREFIX + "Preconditions", preconditions());
    schemas.set(PREFIX + "DeleteOptions", deleteOptions());
    schemas.set(PREFIX + "Status", status());
    schemas.set(PREFIX + "StatusDetails", statusDetails());
    schemas.set(PREFIX + "StatusCause", statusCause());
  }

  private static ObjectNode objectMeta() {
    ObjectNode s = obj("ObjectMeta is metadata that all persisted resources must have, which includes all objects"
        + " users must create.");
    ObjectNode p = s.putObject("properties");
    p.set("annotations", stringMap("Annotations is an unstructured key value map stored with a resource that may be"
        + " set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be"
        + " preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations"));
    p.set("creationTimestamp", refProp("Time", TableConverter.AGE_DESCRIPTION));
    p.set("deletionGracePeriodSeconds", integer("Number of seconds allowed for this object to gracefully terminate"
        + " before it will be removed from the system. Only set when deletionTimestamp is also set. May only be"
        + " shortened. Read-only.", "int64"));
    p.set("deletionTimestamp", refProp("Time", "DeletionTimestamp is RFC 3339 date and time at which this resource"
        + " will be deleted. This field is set by the server when a graceful deletion is requested by the user, and"
        + " is not directly settable by a client. The resource is expected to be deleted (no longer visible from"
        + " resource lists, and not reachable by name) after the time in this field, once the finalizers list is"
        + " empty. As long as the finalizers list contains items, deletion is blocked. Once the deletionTimestamp"
        + " is set, this value may not be unset or be set further into the future, although it may be shortened or"
        + " the resource may be deleted prior to this time.\n\nPopulated by the system when a graceful deletion is"
        + " requested. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"));
    ObjectNode fin = stringArray("Must be empty before the object is deleted from the registry. Each entry is an"
        + " identifier for the responsible component that will remove the entry from the list. If the"
        + " deletionTimestamp of the object is non-nil, entries in this list can only be removed. Finalizers may be"
        + " processed and removed in any order.  Order is NOT enforced because it introduces significant risk of"
        + " stuck finalizers. finalizers is a shared field, any actor with permission can reorder it. If the"
        + " finalizer list is processed in order, then this can lead to a situation in which the component"
        + " responsible for the first finalizer in the list is waiting for a signal (field value, external system,"
        + " or other) produced by a component responsible for a finalizer later in the list, resulting in a"
        + " deadlock. Without enforced ordering finalizers are free to order amongst themselves and are not"
        + " vulnerable to ordering changes in the list.");
    fin.put("x-kubernetes-list-type", "set");
    fin.put("x-kubernetes-patch-strategy", "merge");
    p.set("finalizers", fin);
    p.set("generateName", string("GenerateName is an optional prefix, used by the server, to generate a unique name"
        + " ONLY IF the Name field has not been provided. If this field is used, the name returned to the client"
        + " will be different than the name passed. This value will also be combined with a unique suffix. The"
        + " provided value has the same validation rules as the Name field, and may be truncated by the length of"
        + " the suffix required to make the value unique on the server.\n\nIf this field is specified and the"
        + " generated name exists, the server will return a 409.\n\nApplied only if Name is not specified. More"
        + " info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#idempotency"));
    p.set("generation", integer("A sequence number representing a specific generation of the desired state."
        + " Populated by the system. Read-only.", "int64"));
    p.set("labels", stringMap("Map of string keys and values that can be used to organize and categorize (scope and"
        + " select) objects. May match selectors of replication controllers and services. More info:"
        + " https://kubernetes.io/docs/concepts/overview/working-with-objects/labels"));
    ObjectNode mf = arrayOf("ManagedFieldsEntry", "ManagedFields maps workflow-id and version to the set of fields"
        + " that are managed by that workflow. This is mostly for internal housekeeping, and users typically"
        + " shouldn't need to set or understand this field. A workflow can be the user's name, a controller's name,"
        + " or the name of a specific apply path like \"ci-cd\". The set of fields is always in the version that"
        + " the workflow used when modifying the object.");
    mf.put("x-kubernetes-list-type", "atomic");
    p.set("managedFields", mf);
    p.set("name", string(TableConverter.NAME_DESCRIPTION));
    p.set("namespace", string("Namespace defines the space within which each name must be unique. An empty"
        + " namespace is equivalent to the \"default\" namespace, but \"default\" is the canonical representation."
        + " Not all objects are required to be scoped to a namespace - the value of this field for those objects"
        + " will be empty.\n\nMust be a DNS_LABEL. Cannot be updated. More info:"
        + " https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces"));
    ObjectNode owners = arrayOf("OwnerReference", "List of objects depended by this object. If ALL objects in the"
        + " list have been deleted, this object will be garbage collected. If this object is managed by a"
        + " controller, then an entry in this list will point to this controller, with the controller field set to"
        + " true. There cannot be more than one managing controller.");
    owners.putArray("x-kubernetes-list-map-keys").add("uid");
    owners.put("x-kubernetes-list-type", "map");
    owners.put("x-kubernetes-patch-merge-key", "uid");
    owners.put("x-kubernetes-patch-strategy", "merge");
    p.set("ownerReferences", owners);
    p.set("resourceVersion", string("An opaque value that represents the internal version of this object that can"
        + " be used by clients to determine when objects have changed. May be used for optimistic concurrency,"
        + " change detection, and the watch operation on a resource or set of resources. Clients must treat these"
        + " values as opaque and passed unmodified back to the server. They may only be valid for a particular"
        + " resource or set of resources.\n\nPopulated by the system. Read-only. Value must be treated as opaque by"
        + " clients and . More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency"));
    p.set("selfLink", string("Deprecated: selfLink is a legacy read-only field that is no longer populated by the"
        + " system."));
    p.set("uid", string("UID is the unique in time and space value for this object. It is typically generated by"
        + " the server on successful creation of a resource and is not allowed to change on PUT operations.\n\n"
        + "Populated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids"));
    return s;
  }

  private static ObjectNode listMeta() {
    ObjectNode s = obj("ListMeta describes metadata that synthetic resources must have, including lists and"
        + " various status objects. A resource may have only one of {ObjectMeta, ListMeta}.");
    ObjectNode p = s.putObject("properties");
    p.set("continue", string("continue may be set if the user set a limit on the number of items returned, and"
        + " indicates that the server has more data available. The value is opaque and may be used to issue another"
        + " request to the endpoint that served this list to retrieve the next set of available objects."));
    p.set("remainingItemCount", integer("remainingItemCount is the number of subsequent items in the list which are"
        + " not included in this list response.", "int64"));
    p.set("resourceVersion", string("String that identifies the server's internal version of this object that can"
        + " be used by clients to determine when objects have changed. Value must be treated as opaque by clients"
        + " and passed unmodified back to the server. Populated by the system. Read-only."));
    p.set("selfLink", string("Deprecated: selfLink is a legacy read-only field that is no longer populated by the"
        + " system."));
    return s;
  }

  private static ObjectNode managedFieldsEntry() {
    ObjectNode s = obj("ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that"
        + " the fieldset applies to.");
    ObjectNode p = s.putObject("properties");
    p.set("apiVersion", string("APIVersion defines the version of this resource that this field set applies to."
        + " The format is \"group/version\" just like the top-level APIVersion field."));
    p.set("fieldsType", string("FieldsType is the discriminator for the different fields format and version."
        + " There is currently only one possible value: \"FieldsV1\""));
    p.set("fieldsV1", refProp("FieldsV1", "FieldsV1 holds the first JSON version format as described in the"
        + " \"FieldsV1\" type."));
    p.set("manager", string("Manager is an identifier of the workflow managing these fields."));
    p.set("operation", string("Operation is the type of operation which lead to this ManagedFieldsEntry being"
        + " created. The only valid values for this field are 'Apply' and 'Update'."));
    p.set("subresource", string("Subresource is the name of the subresource used to update that object, or empty"
        + " string if the object was updated through the main resource."));
    p.set("time", refProp("Time", "Time is the timestamp of when the ManagedFields entry was added."));
    return s;
  }

  private static ObjectNode ownerReference() {
    ObjectNode s = obj("OwnerReference contains enough information to let you identify an owning object. An owning"
        + " object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace"
        + " field.");
    ObjectNode p = s.putObject("properties");
    p.set("apiVersion", string("API version of the referent."));
    p.set("blockOwnerDeletion", bool("If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the"
        + " owner cannot be deleted from the key-value store until this reference is removed."));
    p.set("controller", bool("If true, this reference points to the managing controller."));
    p.set("kind", string("Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"));
    p.set("name", string("Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"));
    p.set("uid", string("UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids"));
    required(s, "apiVersion", "kind", "name", "uid");
    s.put("x-kubernetes-map-type", "atomic");
    return s;
  }

  private static ObjectNode preconditions() {
    ObjectNode s = obj("Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.");
    ObjectNode p = s.putObject("properties");
    p.set("resourceVersion", string("Specifies the target ResourceVersion"));
    p.set("uid", string("Specifies the target UID."));
    return s;
  }

  private static ObjectNode deleteOptions() {
    ObjectNode s = obj("DeleteOptions may be provided when deleting an API object.");
    ObjectNode p = s.putObject("properties");
    p.set("apiVersion", string("APIVersion defines the versioned schema of this representation of an object."));
    ObjectNode dry = stringArray("When present, indicates that modifications should not be persisted. An invalid or"
        + " unrecognized dryRun directive will result in an error response and no further processing of the request."
        + " Valid values are: - All: all dry run stages will be processed");
    dry.put("x-kubernetes-list-type", "atomic");
    p.set("dryRun", dry);
    p.set("gracePeriodSeconds", integer("The duration in seconds before the object should be deleted. The value zero"
        + " indicates delete immediately.", "int64"));
    p.set("ignoreStoreReadErrorWithClusterBreakingPotential", bool("if set to true, it will trigger an unsafe"
        + " deletion of the resource in case the normal deletion flow fails with a corrupt object error."));
    p.set("kind", string("Kind is a string value representing the REST resource this object represents."));
    p.set("orphanDependents", bool("Deprecated: please use the PropagationPolicy, this field will be deprecated in"
        + " 1.7. Should the dependent objects be orphaned."));
    p.set("preconditions", refProp("Preconditions", "Must be fulfilled before a deletion is carried out. If not"
        + " possible, a 409 Conflict status will be returned."));
    p.set("propagationPolicy", string("Whether and how garbage collection will be performed. Acceptable values are:"
        + " 'Orphan', 'Background', 'Foreground'."));
    return s;
  }

  private static ObjectNode status() {
    ObjectNode s = obj("Status is a return value for calls that don't return other objects.");
    ObjectNode p = s.putObject("properties");
    p.set("apiVersion", string("APIVersion defines the versioned schema of this representation of an object."));
    p.set("code", integer("Suggested HTTP return code for this status, 0 if not set.", "int32"));
    p.set("details", refProp("StatusDetails", "Extended data associated with the reason."));
    p.set("kind", string("Kind is a string value representing the REST resource this object represents."));
    p.set("message", string("A human-readable description of the status of this operation."));
    p.set("metadata", refProp("ListMeta", "Standard list metadata."));
    p.set("reason", string("A machine-readable description of why this operation is in the \"Failure\" status."));
    p.set("status", string("Status of the operation. One of: \"Success\" or \"Failure\"."));
    return s;
  }

  private static ObjectNode statusDetails() {
    ObjectNode s = obj("StatusDetails is a set of additional properties that MAY be set by the server to provide"
        + " additional information about a response.");
    ObjectNode p = s.putObject("properties");
    ObjectNode causes = arrayOf("StatusCause", "The Causes array includes more details associated with the"
        + " StatusReason failure.");
    causes.put("x-kubernetes-list-type", "atomic");
    p.set("causes", causes);
    p.set("group", string("The group attribute of the resource associated with the status StatusReason."));
    p.set("kind", string("The kind attribute of the resource associated with the status StatusReason."));
    p.set("name", string("The name attribute of the resource associated with the status StatusReason (when there is"
        + " a single name which can be described)."));
    p.set("retryAfterSeconds", integer("If specified, the time in seconds before the operation should be retried.",
        "int32"));
    p.set("uid", string("UID of the resource."));
    return s;
  }

  private static ObjectNode statusCause() {
    ObjectNode s = obj("StatusCause provides more information about an api.Status failure, including cases when"
        + " multiple errors are encountered.");
    ObjectNode p = s.putObject("properties");
    p.set("field", string("The field of the resource that has caused this error, as named by its JSON"
        + " serialization."));
    p.set("message", string("A human-readable description of the cause of the error."));
    p.set("reason", string("A machine-readable description of the cause of the error."));
    return s;
  }

  // ---- small builders ----

  static ObjectNode obj(String description) {
    ObjectNode s = F.objectNode();
    s.put("description", description);
    s.put("type", "object");
    return s;
  }

  static ObjectNode string(String description) {
    ObjectNode s = F.objectNode();
    s.put("description", description);
    s.put("type", "string");
    return s;
  }

  private static ObjectNode bool(String description) {
    ObjectNode s = F.objectNode();
    s.put("description", description);
    s.put("type", "boolean");
    return s;
  }

  private static ObjectNode integer(String description, String format) {
    ObjectNode s = F.objectNode();
    s.put("description", description);
    s.put("format", format);
    s.put("type", "integer");
    return s;
  }

  private static ObjectNode stringMap(String description) {
    ObjectNode s = obj(description);
    s.putObject("additionalProperties").put("default", "").put("type", "string");
    return s;
  }

  private static ObjectNode stringArray(String description) {
    ObjectNode s = F.objectNode();
    s.put("description", description);
    s.putObject("items").put("default", "").put("type", "string");
    s.put("type", "array");
    return s;
  }

  private static ObjectNode arrayOf(String refName, String description) {
    ObjectNode s = F.objectNode();
    s.put("description", description);
    ObjectNode items = s.putObject("items");
    items.putObject("default");
    items.putArray("allOf").addObject().put("$ref", ref(refName));
    s.put("type", "array");
    return s;
  }

  /** A property holding another schema: OpenAPI 3 needs allOf to attach a description next to a $ref. */
  static ObjectNode refProp(String refName, String description) {
    ObjectNode s = F.objectNode();
    s.putArray("allOf").addObject().put("$ref", ref(refName));
    s.put("description", description);
    return s;
  }

  private static void required(ObjectNode s, String... names) {
    ArrayNode r = s.putArray("required");
    for (String n : names) {
      r.add(n);
    }
  }
}
