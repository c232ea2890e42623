package io.ippool.ipam;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.Json;

/**
 * A request the agent's API refuses before doing anything: the body does not parse (400), is not JSON (415)
 * or fails validation (422). Answered as go-swagger's servers answer, {@code {"code": n, "message": "..."}},
 * where validation codes are go-openapi's (601 wrong type, 602 required, 603 too short, 604 too long,
 * 605 pattern) and the HTTP status of those is 422.
 */
public final class IpamInputException extends RuntimeException {
  static final int INVALID_TYPE = 601;
  static final int REQUIRED = 602;
  static final int TOO_SHORT = 603;
  static final int TOO_LONG = 604;
  static final int PATTERN = 605;

  private final int code;

  public IpamInputException(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public static IpamInputException unparsable(String reason) {
    return new IpamInputException(400, "parsing body body from \"\" failed, because " + reason);
  }

  public static IpamInputException unsupportedMediaType(String contentType) {
    return new IpamInputException(415, "unsupported media type \"" + contentType
        + "\", only [application/json] are allowed");
  }

  /** The HTTP status: the code itself below 600, 422 for validation codes. */
  public int status() {
    return code >= 600 ? 422 : code;
  }

  public ObjectNode toJson() {
    return Json.MAPPER.createObjectNode().put("code", code).put("message", getMessage());
  }
}
