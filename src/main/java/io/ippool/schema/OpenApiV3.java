package io.ippool.schema;

import io.ippool.spiderpool.Spiderpool;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.Json;
import io.ippool.api.ResourceKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The OpenAPI v3 documents a CRD-backed kube-apiserver publishes for our group-version: the discovery index at
 * /openapi/v3 pointing at one hash-addressed document per group-version, served as JSON (or protobuf, not here).
 * kubectl reads them to pick the patch type (no strategic-merge-patch here, so it uses JSON merge patch), to
 * detect server-side field validation (an inline fieldValidation parameter on the PATCH operation) and for
 * {@code kubectl explain}. Built once; the hash changes whenever the document does.
 */
public final class OpenApiV3 {
  public static final String GV_PATH = "apis/" + Spiderpool.GROUP + "/" + Spiderpool.VERSION;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String TAG = "spiderpoolSpidernetIo_v2beta1";
  private static final String OP_SUFFIX = "SpiderpoolSpidernetIoV2beta1";
  private static final String PATCH_REF = MetaV1Schemas.ref("Patch");
  private static volatile OpenApiV3 instance;

  private final ObjectNode gvDocument;
  private final String gvJson;
  private final String hash;

  OpenApiV3(List<KindSpec> kinds) {
    this.gvDocument = build(kinds);
    try {
      this.gvJson = Json.MAPPER.writeValueAsString(gvDocument);
      this.hash = HexFormat.of().withUpperCase()
          .formatHex(MessageDigest.getInstance("SHA-512").digest(gvJson.getBytes(StandardCharsets.UTF_8)));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The document for the six Spiderpool kinds, built on first use. */
  public static OpenApiV3 get() {
    OpenApiV3 i = instance;
    if (i == null) {
      synchronized (OpenApiV3.class) {
        if (instance == null) {
          instance = new OpenApiV3(Crds.all());
        }
        i = instance;
      }
    }
    return i;
  }

  /** {@code GET /openapi/v3}: only our GV (never api, apis or version, which would hijack kube's entries). */
  public ObjectNode rootDocument() {
    ObjectNode root = F.objectNode();
    root.putObject("paths").putObject(GV_PATH).put("serverRelativeURL", "/openapi/v3/" + GV_PATH + "?hash=" + hash);
    return root;
  }

  /** {@code GET /openapi/v3/apis/spiderpool.spidernet.io/v2beta1}, serialized once (serve these bytes). */
  public String gvJson() {
    return gvJson;
  }

  /** A copy of the GV document, for inspection. */
  public ObjectNode gvDocument() {
    return gvDocument.deepCopy();
  }

  /** Uppercase hex SHA-512 of {@link #gvJson()}: the ?hash= value and the ETag (quoted by the HTTP layer). */
  public String hash() {
    return hash;
  }

  // ---- document construction ----

  private static ObjectNode build(List<KindSpec> kinds) {
    ObjectNode doc = F.objectNode();
    doc.put("openapi", "3.0.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", "Kubernetes CRD Swagger");
    info.put("version", "v0.1.0");
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    for (KindSpec k : kinds) {
      addPaths(paths, k.kind());
      schemas.set(schemaName(k.kind().kind()), kindSchema(k));
      schemas.set(schemaName(k.kind().listKind()), listSchema(k.kind()));
    }
    MetaV1Schemas.addTo(schemas);
    return doc;
  }

  /** "spiderpool.spidernet.io" reversed + version + Kind, as the CRD OpenAPI builder names schemas. */
  static String schemaName(String kind) {
    String[] parts = Spiderpool.GROUP.split("\\.");
    StringBuilder b = new StringBuilder();
    for (int i = parts.length - 1; i >= 0; i--) {
      b.append(parts[i]).append('.');
    }
    return b.append(Spiderpool.VERSION).append('.').append(kind).toString();
  }

  private static String schemaRef(String kind) {
    return "#/components/schemas/" + schemaName(kind);
  }

  private static void addPaths(ObjectNode paths, ResourceKind k) {
    String base = "/apis/" + k.group() + "/" + k.version() + "/";
    String ns = k.namespaced() ? "Namespaced" : "";
    String collection = base + (k.namespaced() ? "namespaces/{namespace}/" : "") + k.plural();
    String item = collection + "/{name}";

    ObjectNode coll = paths.putObject(collection);
    pathParams(coll, k, false);
    coll.set("get", listOp(k, "list" + OP_SUFFIX + ns + k.kind(), "list or watch objects of kind " + k.kind()));
    coll.set("post", bodyOp(k, "post", "create" + OP_SUFFIX + ns + k.kind(), "create a " + k.kind(),
        new String[] {"200", "201", "202"}));
    coll.set("delete", deleteCollectionOp(k, "delete" + OP_SUFFIX + "Collection" + ns + k.kind()));

    ObjectNode one = paths.putObject(item);
    pathParams(one, k, true);
    one.set("get", readOp(k, "read" + OP_SUFFIX + ns + k.kind(), "read the specified " + k.kind()));
    one.set("put", bodyOp(k, "put", "replace" + OP_SUFFIX + ns + k.kind(), "replace the specified " + k.kind(),
        new String[] {"200", "201"}));
    one.set("patch", patchOp(k, "patch" + OP_SUFFIX + ns + k.kind(), "partially update the specified " + k.kind()));
    one.set("delete", deleteOp(k, "delete" + OP_SUFFIX + ns + k.kind()));

    if (k.hasStatusSubresource()) {
      ObjectNode st = paths.putObject(item + "/status");
      pathParams(st, k, true);
      st.set("get", readOp(k, "read" + OP_SUFFIX + ns + k.kind() + "Status",
          "read status of the specified " + k.kind()));
      st.set("put", bodyOp(k, "put", "replace" + OP_SUFFIX + ns + k.kind() + "Status",
          "replace status of the specified " + k.kind(), new String[] {"200", "201"}));
      st.set("patch", patchOp(k, "patch" + OP_SUFFIX + ns + k.kind() + "Status",
          "partially update status of the specified " + k.kind()));
    }
    if (k.namespaced()) {
      ObjectNode all = paths.putObject(base + k.plural());
      all.putArray("parameters").add(queryParam("pretty", "string",
          "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a"
              + " browser or command-line HTTP tool (curl and wget)."));
      all.set("get", listOp(k, "list" + OP_SUFFIX + k.kind() + "ForAllNamespaces",
          "list or watch objects of kind " + k.kind()));
    }
  }

  private static void pathParams(ObjectNode pathItem, ResourceKind k, boolean named) {
    ArrayNode params = pathItem.putArray("parameters");
    if (named) {
      ObjectNode name = params.addObject();
      name.put("name", "name");
      name.put("in", "path");
      name.put("description", "name of the " + k.kind());
      name.put("required", true);
      name.putObject("schema").put("type", "string").put("uniqueItems", true);
    }
    if (k.namespaced()) {
      ObjectNode ns = params.addObject();
      ns.put("name", "namespace");
      ns.put("in", "path");
      ns.put("description", "object name and auth scope, such as for teams and projects");
      ns.put("required", true);
      ns.putObject("schema").put("type", "string").put("uniqueItems", true);
    }
    params.add(queryParam("pretty", "string", "If 'true', then the output is pretty printed. Defaults to 'false'"
        + " unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."));
  }

  private static ObjectNode op(ResourceKind k, String action, String operationId, String description) {
    ObjectNode op = F.objectNode();
    op.putArray("tags").add(TAG);
    op.put("description", description);
    op.put("operationId", operationId);
    op.putArray("parameters");
    op.putObject("responses");
    op.put("x-kubernetes-action", action);
    ObjectNode gvk = op.putObject("x-kubernetes-group-version-kind");
    gvk.put("group", k.group());
    gvk.put("version", k.version());
    gvk.put("kind", k.kind());
    return op;
  }

  private static ObjectNode listOp(ResourceKind k, String id, String description) {
    ObjectNode op = op(k, "list", id, description);
    listParams((ArrayNode) op.get("parameters"));
    response(op, "200", "OK", schemaRef(k.listKind()), true);
    unauthorized(op);
    return op;
  }

  private static ObjectNode readOp(ResourceKind k, String id, String description) {
    ObjectNode op = op(k, "get", id, description);
    response(op, "200", "OK", schemaRef(k.kind()), false);
    unauthorized(op);
    return op;
  }

  private static ObjectNode bodyOp(ResourceKind k, String action, String id, String description, String[] codes) {
    ObjectNode op = op(k, action, id, description);
    ArrayNode params = (ArrayNode) op.get("parameters");
    writeParams(params, false);
    ObjectNode body = op.putObject("requestBody");
    ObjectNode content = body.putObject("content");
    for (String type : List.of("application/json", "application/yaml")) {
      content.putObject(type).putObject("schema").put("$ref", schemaRef(k.kind()));
    }
    body.put("required", true);
    for (String c : codes) {
      response(op, c, c.equals("200") ? "OK" : c.equals("201") ? "Created" : "Accepted", schemaRef(k.kind()), false);
    }
    unauthorized(op);
    return op;
  }

  /** PATCH: inline fieldValidation (kubectl's server-side validation check) and no strategic-merge-patch. */
  private static ObjectNode patchOp(ResourceKind k, String id, String description) {
    ObjectNode op = op(k, "patch", id, description);
    ArrayNode params = (ArrayNode) op.get("parameters");
    writeParams(params, true);
    ObjectNode body = op.putObject("requestBody");
    ObjectNode content = body.putObject("content");
    for (String type : List.of("application/apply-patch+yaml", "application/json-patch+json",
        "application/merge-patch+json")) {
      content.putObject(type).putObject("schema").put("$ref", PATCH_REF);
    }
    body.put("required", true);
    response(op, "200", "OK", schemaRef(k.kind()), false);
    response(op, "201", "Created", schemaRef(k.kind()), false);
    unauthorized(op);
    return op;
  }

  private static ObjectNode deleteOp(ResourceKind k, String id) {
    ObjectNode op = op(k, "delete", id, "delete a " + k.kind());
    ArrayNode params = (ArrayNode) op.get("parameters");
    deleteParams(params);
    deleteBody(op);
    response(op, "200", "OK", MetaV1Schemas.ref("Status"), false);
    response(op, "202", "Accepted", MetaV1Schemas.ref("Status"), false);
    unauthorized(op);
    return op;
  }

  private static ObjectNode deleteCollectionOp(ResourceKind k, String id) {
    ObjectNode op = op(k, "deletecollection", id, "delete collection of " + k.kind());
    ArrayNode params = (ArrayNode) op.get("parameters");
    listParams(params);
    deleteParams(params);
    deleteBody(op);
    response(op, "200", "OK", MetaV1Schemas.ref("Status"), false);
    unauthorized(op);
    return op;
  }

  private static void deleteBody(ObjectNode op) {
    ObjectNode content = op.putObject("requestBody").putObject("content");
    for (String type : List.of("application/json", "application/yaml")) {
      content.putObject(type).putObject("schema").put("$ref", MetaV1Schemas.ref("DeleteOptions"));
    }
  }

  private static void listParams(ArrayNode p) {
    p.add(queryParam("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type"
        + " \"BOOKMARK\". Servers that do not implement bookmarks may ignore this flag."));
    p.add(queryParam("continue", "string", "The continue option should be set when retrieving more results from the"
        + " server."));
    p.add(queryParam("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields."
        + " Defaults to everything."));
    p.add(queryParam("labelSelector", "string", "A selector to restrict the list of returned objects by their"
        + " labels. Defaults to everything."));
    p.add(queryParam("limit", "integer", "limit is a maximum number of responses to return for a list call."));
    p.add(queryParam("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a"
        + " request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions"
        + " for details.\n\nDefaults to unset"));
    p.add(queryParam("resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is"
        + " applied to list calls."));
    p.add(queryParam("sendInitialEvents", "boolean", "`sendInitialEvents=true` may be set together with"
        + " `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current"
        + " state of objects in the collection."));
    p.add(queryParam("timeoutSeconds", "integer", "Timeout for the list/watch call. This limits the duration of the"
        + " call, regardless of any activity or inactivity."));
    p.add(queryParam("watch", "boolean", "Watch for changes to the described resources and return them as a stream"
        + " of add, update, and remove notifications. Specify resourceVersion."));
  }

  private static void writeParams(ArrayNode p, boolean patch) {
    p.add(queryParam("dryRun", "string", "When present, indicates that modifications should not be persisted. An"
        + " invalid or unrecognized dryRun directive will result in an error response and no further processing of"
        + " the request. Valid values are: - All: all dry run stages will be processed"));
    p.add(queryParam("fieldManager", "string", "fieldManager is a name associated with the actor or entity that is"
        + " making these changes. The value must be less than or 128 characters long, and only contain printable"
        + " characters, as defined by https://golang.org/pkg/unicode/#IsPrint."
        + (patch ? " This field is required for apply requests (application/apply-patch) but optional for non-apply"
        + " patch types (JsonPatch, MergePatch, StrategicMergePatch)." : "")));
    p.add(queryParam("fieldValidation", "string", "fieldValidation instructs the server on how to handle objects in"
        + " the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This"
        + " will ignore any unknown fields that are silently dropped from the object, and will ignore all but the"
        + " last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn:"
        + " This will send a warning via the standard warning response header for each unknown field that is"
        + " dropped from the object, and for each duplicate field that is encountered. The request will still"
        + " succeed if there are no other errors, and will only persist the last of any duplicate fields. This is"
        + " the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields"
        + " would be dropped from the object, or if any duplicate fields are present. The error returned from the"
        + " server will contain all unknown and duplicate fields encountered."));
    if (patch) {
      p.add(queryParam("force", "boolean", "Force is going to \"force\" Apply requests. It means user will re-acquire"
          + " conflicting fields owned by other people. Force flag must be unset for non-apply patch requests."));
    }
  }

  private static void deleteParams(ArrayNode p) {
    p.add(queryParam("dryRun", "string", "When present, indicates that modifications should not be persisted. An"
        + " invalid or unrecognized dryRun directive will result in an error response and no further processing of"
        + " the request. Valid values are: - All: all dry run stages will be processed"));
    p.add(queryParam("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted."
        + " Value must be non-negative integer. The value zero indicates delete immediately."));
    p.add(queryParam("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean", "if set to true, it will trigger"
        + " an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error."));
    p.add(queryParam("orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy, this field will"
        + " be deprecated in 1.7. Should the dependent objects be orphaned."));
    p.add(queryParam("propagationPolicy", "string", "Whether and how garbage collection will be performed. Either"
        + " this field or OrphanDependents may be set, but not both. Acceptable values are: 'Orphan', 'Background',"
        + " 'Foreground'."));
  }

  private static ObjectNode queryParam(String name, String type, String description) {
    ObjectNode p = F.objectNode();
    p.put("name", name);
    p.put("in", "query");
    p.put("description", description);
    p.putObject("schema").put("type", type).put("uniqueItems", true);
    return p;
  }

  private static void response(ObjectNode op, String code, String description, String ref, boolean list) {
    ObjectNode r = ((ObjectNode) op.get("responses")).putObject(code);
    r.put("description", description);
    ObjectNode content = r.putObject("content");
    List<String> types = list ? List.of("application/json", "application/json;stream=watch", "application/yaml")
        : List.of("application/json", "application/yaml");
    for (String t : types) {
      content.putObject(t).putObject("schema").put("$ref", ref);
    }
  }

  private static void unauthorized(ObjectNode op) {
    ((ObjectNode) op.get("responses")).putObject("401").put("description", "Unauthorized");
  }

  /** CRD schema + apiVersion/kind/metadata($ref ObjectMeta) + the GVK array kubectl explain looks for. */
  private static ObjectNode kindSchema(KindSpec k) {
    ObjectNode s = k.schema().json();
    ObjectNode props = s.has("properties") ? (ObjectNode) s.get("properties") : s.putObject("properties");
    if (!props.has("apiVersion")) {
      props.set("apiVersion", MetaV1Schemas.string("APIVersion defines the versioned schema of this representation"
          + " of an object."));
    }
    if (!props.has("kind")) {
      props.set("kind", MetaV1Schemas.string("Kind is a string value representing the REST resource this object"
          + " represents."));
    }
    props.set("metadata", MetaV1Schemas.refProp("ObjectMeta", "Standard object's metadata. More info:"
        + " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"));
    s.put("type", "object");
    gvkArray(s, k.kind().kind());
    return s;
  }

  private static ObjectNode listSchema(ResourceKind k) {
    ObjectNode s = F.objectNode();
    s.put("description", k.listKind() + " is a list of " + k.kind());
    s.putArray("required").add("items");
    s.put("type", "object");
    ObjectNode props = s.putObject("properties");
    props.set("apiVersion", MetaV1Schemas.string("APIVersion defines the versioned schema of this representation of"
        + " an object. Servers should convert recognized schemas to the latest internal value, and may reject"
        + " unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"));
    ObjectNode items = props.putObject("items");
    items.put("description", "List of " + k.plural() + ". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md");
    items.putObject("items").put("$ref", schemaRef(k.kind()));
    items.put("type", "array");
    props.set("kind", MetaV1Schemas.string("Kind is a string value representing the REST resource this object"
        + " represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated."
        + " In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"));
    props.set("metadata", MetaV1Schemas.refProp("ListMeta", "Standard list metadata. More info:"
        + " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"));
    gvkArray(s, k.listKind());
    return s;
  }

  private static void gvkArray(ObjectNode s, String kind) {
    ObjectNode gvk = s.putArray("x-kubernetes-group-version-kind").addObject();
    gvk.put("group", Spiderpool.GROUP);
    gvk.put("kind", kind);
    gvk.put("version", Spiderpool.VERSION);
  }
}
