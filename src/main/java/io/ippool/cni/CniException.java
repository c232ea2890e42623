package io.ippool.cni;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure reported to the runtime as a CNI error object. Codes follow the CNI spec's table
 * (SPEC.md "Error"): 1-7 and 11 are well known; 100 and up belong to this plugin.
 */
final class CniException extends Exception {
  static final int INCOMPATIBLE_VERSION = 1;
  static final int UNSUPPORTED_FIELD = 2;
  static final int INVALID_ENV = 4;
  static final int IO_FAILURE = 5;
  static final int DECODE_FAILURE = 6;
  static final int INVALID_NETCONF = 7;
  static final int TRY_AGAIN_LATER = 11;
  /** The server refused or failed the allocation (exhausted pool, no pool matched, ...). */
  static final int ALLOCATION_FAILED = 100;
  /** The server answered 200 with something we cannot turn into a CNI result. */
  static final int BAD_SERVER_RESPONSE = 101;
  /** The server answered with a status that is neither 200 nor its documented 500. */
  static final int UNEXPECTED_STATUS = 102;

  final int code;
  final String details;

  CniException(int code, String msg, String details) {
    super(msg);
    this.code = code;
    this.details = details == null ? "" : details;
  }

  CniException(int code, String msg) {
    this(code, msg, "");
  }

  /** The error object; {@code details} is omitted when empty, as Go's omitempty does. */
  String toJson(String cniVersion) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cniVersion", cniVersion);
    m.put("code", code);
    m.put("msg", getMessage());
    if (!details.isEmpty()) {
      m.put("details", details);
    }
    return Json.write(m);
  }
}
