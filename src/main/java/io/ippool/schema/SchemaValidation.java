package io.ippool.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.ippool.api.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validates a value against a structural schema with kube-openapi's validator semantics and converts each
 * failure the way apiextensions-apiserver's kubeOpenAPIResultToFieldErrors does, so messages read exactly
 * like a CRD-backed kube-apiserver's. Per node the checks run in kube-openapi's order: type, string length,
 * number bounds, array items, enum, object properties, required.
 */
final class SchemaValidation {
  private final List<FieldError> errors = new ArrayList<>();

  private SchemaValidation() {
  }

  static List<FieldError> run(SchemaNode root, JsonNode value) {
    SchemaValidation v = new SchemaValidation();
    v.node(root, value, "");
    return v.errors;
  }

  private void node(SchemaNode s, JsonNode value, String path) {
    if (value == null || value.isNull()) {
      checkType(s, value, path);
      return;
    }
    checkType(s, value, path);
    String kind = JsonKinds.typeOf(value);
    if (kind.equals("string")) {
      checkStringLength(s, value.asText(), path);
    }
    if (kind.equals("integer") || kind.equals("number")) {
      checkBounds(s, value, path);
    }
    if (kind.equals("array")) {
      if (s.items != null) {
        for (int i = 0; i < value.size(); i++) {
          node(s.items, value.get(i), path + "[" + i + "]");
        }
      }
      checkItemCount(s, value.size(), path);
    }
    checkEnum(s, value, path);
    if (kind.equals("object")) {
      object(s, value, path);
    }
  }

  private void object(SchemaNode s, JsonNode obj, String path) {
    if (s.additionalProperties != null) {
      obj.fields().forEachRemaining(f -> {
        if (!s.properties.containsKey(f.getKey())) {
          node(s.additionalProperties, f.getValue(), path + "." + f.getKey());
        }
      });
    }
    for (Map.Entry<String, SchemaNode> e : s.properties.entrySet()) {
      JsonNode v = obj.get(e.getKey());
      if (v != null) {
        node(e.getValue(), v, path.isEmpty() ? e.getKey() : path + "." + e.getKey());
      }
    }
    for (String r : s.required) {
      if (!obj.has(r)) {
        errors.add(FieldError.required(path.isEmpty() ? r : path + "." + r, ""));
      }
    }
  }

  /** kube-openapi typeValidator, including its format quirks (a float in an int64 field is "type int64"). */
  private void checkType(SchemaNode s, JsonNode value, String path) {
    List<String> types = s.intOrString ? List.of("integer", "string")
        : s.type.isEmpty() ? List.of() : List.of(s.type);
    if (types.isEmpty() && s.format.isEmpty()) {
      return;
    }
    String joined = String.join(",", types);
    if (value == null || value.isNull()) {
      if (!types.isEmpty() && !types.contains("null") && !s.nullable) {
        typeError(path, joined, "null");
      }
      return;
    }
    String schType = JsonKinds.typeOf(value);
    String format = schType.equals("integer") ? "int64" : schType.equals("number") ? "float64" : "";
    boolean stringOrSlice = schType.equals("string") || schType.equals("array");
    boolean isFloatInt = schType.equals("number") && JsonKinds.isIntegral(value) && types.contains("integer");
    boolean isIntFloat = schType.equals("integer") && types.contains("number");
    if (!stringOrSlice && !s.format.isEmpty()
        && !(types.contains(schType) || format.equals(s.format) || isFloatInt || isIntFloat)) {
      typeError(path, s.format, format);
      return;
    }
    if (!(types.contains("number") || types.contains("integer")) && !s.format.isEmpty() && stringOrSlice) {
      return;
    }
    if (!(types.contains(schType) || isFloatInt || isIntFloat)) {
      typeError(path, joined, schType);
    }
  }

  private void typeError(String path, String expected, String actual) {
    errors.add(FieldError.typeInvalid(path, actual,
        path + " in body must be of type " + expected + ": \"" + actual + "\""));
  }

  private void checkStringLength(SchemaNode s, String text, String path) {
    int runes = text.codePointCount(0, text.length());
    if (s.maxLength != null && runes > s.maxLength) {
      errors.add(new FieldError(FieldError.Type.TOO_LONG, path, null,
          "may not be more than " + s.maxLength + (s.maxLength == 1 ? " byte" : " bytes")));
    }
    if (s.minLength != null && runes < s.minLength) {
      errors.add(FieldError.invalid(path, text, path + " in body should be at least " + s.minLength + " chars long"));
    }
  }

  private void checkBounds(SchemaNode s, JsonNode value, String path) {
    double d = value.asDouble();
    Object bad = JsonKinds.badValue(value);
    if (s.maximum != null && (s.exclusiveMaximum ? d >= s.maximum : d > s.maximum)) {
      errors.add(FieldError.invalid(path, bad, path + " in body should be less than "
          + (s.exclusiveMaximum ? "" : "or equal to ") + JsonKinds.goNumber(s.maximum)));
    }
    if (s.minimum != null && (s.exclusiveMinimum ? d <= s.minimum : d < s.minimum)) {
      errors.add(FieldError.invalid(path, bad, path + " in body should be greater than "
          + (s.exclusiveMinimum ? "" : "or equal to ") + JsonKinds.goNumber(s.minimum)));
    }
  }

  private void checkItemCount(SchemaNode s, int size, String path) {
    if (s.minItems != null && size < s.minItems) {
      errors.add(FieldError.invalid(path, (long) size, path + " in body should have at least " + s.minItems + " items"));
    }
    if (s.maxItems != null && size > s.maxItems) {
      errors.add(new FieldError(FieldError.Type.TOO_MANY, path, (long) size,
          "must have at most " + s.maxItems + (s.maxItems == 1 ? " item" : " items")));
    }
  }

  /** Enum values print as themselves when strings, as JSON otherwise (so 4 becomes "4"). */
  private void checkEnum(SchemaNode s, JsonNode value, String path) {
    if (s.enumValues.isEmpty()) {
      return;
    }
    for (JsonNode allowed : s.enumValues) {
      if (enumMatches(allowed, value)) {
        return;
      }
    }
    List<String> supported = new ArrayList<>();
    for (JsonNode allowed : s.enumValues) {
      supported.add(allowed.isTextual() ? allowed.asText() : GoJson.write(allowed));
    }
    errors.add(FieldError.notSupported(path, JsonKinds.badValue(value), supported));
  }

  /** Go converts the value to the enum value's type before comparing, so 4.0 matches the integer 4. */
  private static boolean enumMatches(JsonNode allowed, JsonNode value) {
    if (allowed.isNumber() && value.isNumber()) {
      if (JsonKinds.isInt64(allowed)) {
        return (long) value.asDouble() == allowed.asLong() && (JsonKinds.isInt64(value) ? value.asLong() == allowed.asLong() : true);
      }
      return value.asDouble() == allowed.asDouble();
    }
    return allowed.equals(value);
  }
}
