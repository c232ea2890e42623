package io.ippool.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One field validation error, rendered exactly as k8s.io/apimachinery's field.Error so that kubectl
 * users see the messages they know from Spiderpool's webhooks and CRD schema validation.
 *
 * @param type     the error type (decides the cause reason and the wording)
 * @param field    the field path, e.g. {@code spec.ips[2]}
 * @param badValue the offending value: a String, a Number, a Boolean, or null (rendered "null")
 * @param detail   free text after the value; may be empty
 */
public record FieldError(Type type, String field, Object badValue, String detail) {

  /** Mirrors metav1.CauseType and field.ErrorType. */
  public enum Type {
    NOT_FOUND("FieldValueNotFound", "Not found"),
    REQUIRED("FieldValueRequired", "Required value"),
    DUPLICATE("FieldValueDuplicate", "Duplicate value"),
    INVALID("FieldValueInvalid", "Invalid value"),
    NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value"),
    FORBIDDEN("FieldValueForbidden", "Forbidden"),
    TOO_LONG("FieldValueTooLong", "Too long"),
    TOO_MANY("FieldValueTooMany", "Too many"),
    INTERNAL("InternalError", "Internal error"),
    TYPE_INVALID("FieldValueTypeInvalid", "Invalid value"),
    /** Not a field error: a Status cause for "resourceVersion newer than the server has". */
    RESOURCE_VERSION_TOO_LARGE("ResourceVersionTooLarge", ""),
    /** Not a field error: a Status cause naming the field manager an apply conflicts with. */
    FIELD_MANAGER_CONFLICT("FieldManagerConflict", "");

    public final String causeType;
    public final String text;

    Type(String causeType, String text) {
      this.causeType = causeType;
      this.text = text;
    }
  }

  public static FieldError invalid(String field, Object value, String detail) {
    return new FieldError(Type.INVALID, field, value, detail);
  }

  public static FieldError required(String field, String detail) {
    return new FieldError(Type.REQUIRED, field, null, detail);
  }

  public static FieldError forbidden(String field, String detail) {
    return new FieldError(Type.FORBIDDEN, field, null, detail);
  }

  public static FieldError internal(String field, String detail) {
    return new FieldError(Type.INTERNAL, field, null, detail);
  }

  public static FieldError duplicate(String field, Object value) {
    return new FieldError(Type.DUPLICATE, field, value, "");
  }

  public static FieldError typeInvalid(String field, Object value, String detail) {
    return new FieldError(Type.TYPE_INVALID, field, value, detail);
  }

  /** {@code supported} are rendered quoted, as field.NotSupported does. */
  public static FieldError notSupported(String field, Object value, List<String> supported) {
    String detail = supported.isEmpty() ? ""
        : "supported values: " + supported.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", "));
    return new FieldError(Type.NOT_SUPPORTED, field, value, detail);
  }

  /** field.Error.ErrorBody(): the cause message, without the field path. */
  public String body() {
    StringBuilder s = new StringBuilder(type.text);
    switch (type) {
      case REQUIRED, FORBIDDEN, TOO_LONG, INTERNAL -> { }
      case NOT_SUPPORTED, DUPLICATE, NOT_FOUND -> s.append(": ").append(renderBare(badValue));
      default -> s.append(": ").append(renderValue(badValue));
    }
    if (detail != null && !detail.isEmpty()) {
      s.append(": ").append(detail);
    }
    return s.toString();
  }

  /** The message of a Status cause: the body, or just the detail for causes that are not field errors. */
  public String causeMessage() {
    boolean plain = field == null || field.isEmpty() || type == Type.FIELD_MANAGER_CONFLICT
        || type == Type.RESOURCE_VERSION_TOO_LARGE;
    return plain ? detail : body();
  }

  /** field.Error.Error(): {@code <field>: <body>}. */
  public String message() {
    return field == null || field.isEmpty() ? body() : field + ": " + body();
  }

  /** Invalid values print strings quoted, numbers and booleans bare, nil as "null". */
  private static String renderValue(Object v) {
    if (v == null) {
      return "\"null\"";
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    return quote(v.toString());
  }

  /** NotSupported / Duplicate print strings quoted too, except numbers. */
  private static String renderBare(Object v) {
    return renderValue(v);
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
