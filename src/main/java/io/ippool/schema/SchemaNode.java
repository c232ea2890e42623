package io.ippool.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node of a structural OpenAPI v3 schema, parsed once from the CRD so that pruning, defaulting and
 * validation do not re-read JSON on every request. Only the keywords a structural CRD schema may carry are
 * modelled; the raw node is kept for publishing (OpenAPI, explain).
 */
final class SchemaNode {
  final ObjectNode raw;
  final String type;            // "" when absent (only allowed with x-kubernetes-preserve-unknown-fields / int-or-string)
  final String format;
  final boolean nullable;
  final boolean preserveUnknownFields;
  final boolean intOrString;
  final List<JsonNode> enumValues;
  final JsonNode defaultValue;  // null when absent
  final Double minimum;
  final Double maximum;
  final boolean exclusiveMinimum;
  final boolean exclusiveMaximum;
  final Long minLength;
  final Long maxLength;
  final Long minItems;
  final Long maxItems;
  final Map<String, SchemaNode> properties;   // schema order
  final SchemaNode additionalProperties;      // map value schema, or null
  final boolean additionalPropertiesAllowed;   // additionalProperties: true
  final SchemaNode items;
  final List<String> required;

  private SchemaNode(ObjectNode raw) {
    this.raw = raw;
    this.type = raw.path("type").asText("");
    this.format = raw.path("format").asText("");
    this.nullable = raw.path("nullable").asBoolean(false);
    this.preserveUnknownFields = raw.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    this.intOrString = raw.path("x-kubernetes-int-or-string").asBoolean(false);
    List<JsonNode> enums = new ArrayList<>();
    raw.path("enum").forEach(enums::add);
    this.enumValues = Collections.unmodifiableList(enums);
    this.defaultValue = raw.has("default") ? raw.get("default") : null;
    this.minimum = raw.hasNonNull("minimum") ? raw.get("minimum").asDouble() : null;
    this.maximum = raw.hasNonNull("maximum") ? raw.get("maximum").asDouble() : null;
    this.exclusiveMinimum = raw.path("exclusiveMinimum").asBoolean(false);
    this.exclusiveMaximum = raw.path("exclusiveMaximum").asBoolean(false);
    this.minLength = longOrNull(raw, "minLength");
    this.maxLength = longOrNull(raw, "maxLength");
    this.minItems = longOrNull(raw, "minItems");
    this.maxItems = longOrNull(raw, "maxItems");
    Map<String, SchemaNode> props = new LinkedHashMap<>();
    raw.path("properties").fields().forEachRemaining(e -> props.put(e.getKey(), parse(e.getValue())));
    this.properties = Collections.unmodifiableMap(props);
    JsonNode ap = raw.get("additionalProperties");
    this.additionalProperties = ap != null && ap.isObject() ? parse(ap) : null;
    this.additionalPropertiesAllowed = ap != null && ap.isBoolean() && ap.asBoolean();
    this.items = raw.path("items").isObject() ? parse(raw.get("items")) : null;
    List<String> req = new ArrayList<>();
    raw.path("required").forEach(r -> req.add(r.asText()));
    this.required = Collections.unmodifiableList(req);
  }

  static SchemaNode parse(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("schema node must be an object: " + node);
    }
    return new SchemaNode((ObjectNode) node);
  }

  /** Objects with declared properties or a map value schema prune unknown keys; others keep everything. */
  boolean isMap() {
    return additionalProperties != null || additionalPropertiesAllowed;
  }

  private static Long longOrNull(ObjectNode raw, String key) {
    return raw.hasNonNull(key) ? raw.get(key).asLong() : null;
  }
}
