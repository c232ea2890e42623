package io.ippool.errors;

import io.ippool.api.FieldError;
import java.util.List;

/**
 * A failure that becomes a Kubernetes {@code metav1.Status}. Every layer throws (or fails a Future
 * with) one of these; only the HTTP failure handler turns it into a response.
 */
public class ApiException extends RuntimeException {
  private final int code;
  private final String reason;
  private final Details details;
  private final Integer retryAfterSeconds;

  /** {@code kind} is what kube-apiserver puts in details.kind (a plural for most errors, a Kind for Invalid). */
  public record Details(String name, String group, String kind, List<FieldError> causes) {
    public static Details none() {
      return new Details(null, null, null, List.of());
    }
  }

  public ApiException(int code, String reason, String message, Details details) {
    this(code, reason, message, details, null);
  }

  public ApiException(int code, String reason, String message, Details details, Integer retryAfterSeconds) {
    super(message, null, false, false);
    this.code = code;
    this.reason = reason;
    this.details = details == null ? Details.none() : details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int code() {
    return code;
  }

  /** May be empty: kube-apiserver sends some errors (e.g. 500 on resourceVersion in create) without a reason. */
  public String reason() {
    return reason;
  }

  public Details details() {
    return details;
  }

  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }

  // ---- factories worded as k8s.io/apimachinery/pkg/api/errors ----

  /** {@code gr} is "plural.group", as errors name the resource. */
  public static ApiException notFound(String group, String plural, String name) {
    return new ApiException(404, "NotFound", qualified(group, plural) + " \"" + name + "\" not found",
        new Details(name, group, plural, List.of()));
  }

  public static ApiException alreadyExists(String group, String plural, String name) {
    return new ApiException(409, "AlreadyExists", qualified(group, plural) + " \"" + name + "\" already exists",
        new Details(name, group, plural, List.of()));
  }

  public static ApiException conflict(String group, String plural, String name, String why) {
    return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + qualified(group, plural)
        + " \"" + name + "\": " + why, new Details(name, group, plural, List.of()));
  }

  public static ApiException staleResourceVersion(String group, String plural, String name) {
    return conflict(group, plural, name,
        "the object has been modified; please apply your changes to the latest version and try again");
  }

  /** 422 Invalid: {@code <Kind>.<group> "<name>" is invalid: <err>} or {@code [e1, e2]}. */
  public static ApiException invalid(String group, String kind, String name, List<FieldError> errors) {
    String what = group == null || group.isEmpty() ? kind : kind + "." + group;
    String joined = errors.size() == 1 ? errors.get(0).message()
        : "[" + String.join(", ", errors.stream().map(FieldError::message).toList()) + "]";
    return new ApiException(422, "Invalid", what + " \"" + name + "\" is invalid: " + joined,
        new Details(name, group, kind, errors));
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "BadRequest", message, Details.none());
  }

  public static ApiException forbidden(String group, String plural, String name, String why) {
    String subject = name == null || name.isEmpty() ? qualified(group, plural) : qualified(group, plural) + " \"" + name + "\"";
    if (plural == null || plural.isEmpty()) {
      subject = "";
    }
    String msg = subject.isEmpty() ? "forbidden: " + why : subject + " is forbidden: " + why;
    return new ApiException(403, "Forbidden", msg, new Details(name, group, plural, List.of()));
  }

  public static ApiException methodNotAllowed(String verb, String group, String plural) {
    return new ApiException(405, "MethodNotAllowed",
        verb + " is not supported on resources of kind \"" + qualified(group, plural) + "\"", Details.none());
  }

  public static ApiException notAcceptable(String message) {
    return new ApiException(406, "NotAcceptable", message, Details.none());
  }

  public static ApiException unsupportedMediaType(String message) {
    return new ApiException(415, "UnsupportedMediaType", message, Details.none());
  }

  public static ApiException tooLarge(String message) {
    return new ApiException(413, "RequestEntityTooLarge", "Request entity too large: " + message, Details.none());
  }

  public static ApiException gone(String message) {
    return new ApiException(410, "Expired", message, Details.none());
  }

  public static ApiException unauthorized() {
    return new ApiException(401, "Unauthorized", "Unauthorized", Details.none());
  }

  public static ApiException serviceUnavailable(String message) {
    return new ApiException(503, "ServiceUnavailable", message, Details.none());
  }

  /** The database failed a request: the client may retry in a second; what failed is for the log. */
  public static ApiException storageUnavailable() {
    return new ApiException(503, "ServiceUnavailable", "storage is unavailable, please retry", Details.none(), 1);
  }

  public static ApiException internal(String message) {
    return new ApiException(500, "InternalError", "Internal error occurred: " + message,
        new Details(null, null, null, List.of(new FieldError(FieldError.Type.INTERNAL, "", null, message))));
  }

  public static ApiException pageNotFound() {
    return new ApiException(404, "NotFound", "the server could not find the requested resource", Details.none());
  }

  private static String qualified(String group, String plural) {
    return group == null || group.isEmpty() ? plural : plural + "." + group;
  }
}
