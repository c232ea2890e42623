package io.ippool.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import java.util.Collections;
import java.util.List;

/**
 * A kind's openAPIV3Schema with the behaviour kube-apiserver's CRD handler attaches to it. The HTTP layer
 * calls, in the order kube-apiserver's create and update handlers use: {@link #unknownFields} (for
 * fieldValidation Strict/Warn), {@link #prune}, {@link #applyDefaults}, then {@link #validate} (after
 * {@link ObjectMetaValidation}).
 */
public final class StructuralSchema {
  private final ObjectNode json;
  private final SchemaNode root;

  private StructuralSchema(ObjectNode json) {
    this.json = json;
    this.root = SchemaNode.parse(json);
  }

  public static StructuralSchema of(ObjectNode openAPIV3Schema) {
    return new StructuralSchema(openAPIV3Schema.deepCopy());
  }

  /** The schema as written in the CRD (a copy; callers may modify it). */
  public ObjectNode json() {
    return json.deepCopy();
  }

  /**
   * Paths of fields the schema does not know, as kube words them in {@code unknown field "<path>"}
   * (e.g. {@code spec.foo}, {@code spec.routes[0].bar}, {@code metadata.foo}), sorted. Does not modify obj.
   */
  public List<String> unknownFields(ObjectNode obj) {
    List<String> paths = Pruning.run(root, obj, false);
    Collections.sort(paths);
    return paths;
  }

  /** Removes every unknown field (metadata is kept to the ObjectMeta fields). Returns what was removed, sorted. */
  public List<String> prune(ObjectNode obj) {
    List<String> paths = Pruning.run(root, obj, true);
    Collections.sort(paths);
    return paths;
  }

  /** Fills schema defaults in place (e.g. SpiderIPPool spec.default=false) and drops non-nullable nulls. */
  public void applyDefaults(ObjectNode obj) {
    Defaulting.apply(root, obj);
  }

  /**
   * Schema validation errors, with kube's field paths and wording (types, enum, required, bounds, lengths,
   * item counts). ObjectMeta rules are separate: {@link ObjectMetaValidation}.
   */
  public List<FieldError> validate(ObjectNode obj) {
    ObjectNode withoutMeta = obj;
    if (obj.has("metadata")) {
      // The CRD says only "metadata: {type: object}"; ObjectMeta is checked by ObjectMetaValidation.
      withoutMeta = obj.deepCopy();
      withoutMeta.remove("metadata");
    }
    return SchemaValidation.run(root, withoutMeta);
  }

  /** Convenience for tests and callers holding a parsed JsonNode. */
  static StructuralSchema of(JsonNode node) {
    return of((ObjectNode) node);
  }
}
