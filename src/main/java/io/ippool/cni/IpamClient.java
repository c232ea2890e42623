package io.ippool.cni;

import java.io.IOException;
import java.util.Map;

/**
 * The server's agent API (Spiderpool's {@code /v1/ipam/*}), with its failures mapped to CNI error
 * codes: anything that may heal by itself (server down, overloaded, slow) is 11 "try again later",
 * so the runtime retries the sandbox; a refused allocation (pool exhausted, no pool matches) is
 * 100 with the server's own text, which is what an operator needs to read.
 */
final class IpamClient {
  static final String HEALTHY = "/v1/ipam/healthy";
  static final String IP = "/v1/ipam/ip";

  private final Transport transport;
  private final Deadline deadline;

  IpamClient(Transport transport, Deadline deadline) {
    this.transport = transport;
    this.deadline = deadline;
  }

  void healthy() throws CniException {
    HttpResponse r;
    try {
      r = transport.exchange("GET", HEALTHY, null, deadline);
    } catch (IOException e) {
      throw new CniException(CniException.TRY_AGAIN_LATER,
          "unhealthy ippool IPAM server, failed to check: " + ioReason(e), transport.describe());
    }
    if (r.status != 200) {
      throw new CniException(CniException.TRY_AGAIN_LATER,
          "unhealthy ippool IPAM server, failed to check: HTTP " + r.status + " " + serverText(r.body),
          transport.describe());
    }
  }

  /** POST /v1/ipam/ip; returns the parsed IpamAddResponse. */
  Map<String, Object> allocate(Map<String, Object> args) throws CniException {
    HttpResponse r = call("POST", args, "allocate");
    try {
      Map<String, Object> m = Json.object(Json.parse(r.body), "response");
      if (m == null) {
        throw new IllegalArgumentException("response is null");
      }
      return m;
    } catch (IllegalArgumentException e) {
      throw new CniException(CniException.BAD_SERVER_RESPONSE,
          "invalid allocation response from the IPAM server: " + e.getMessage(), transport.describe());
    }
  }

  /** DELETE /v1/ipam/ip. */
  void release(Map<String, Object> args) throws CniException {
    call("DELETE", args, "release");
  }

  private HttpResponse call(String method, Map<String, Object> args, String what) throws CniException {
    HttpResponse r;
    try {
      r = transport.exchange(method, IP, Json.write(args), deadline);
    } catch (IOException e) {
      throw new CniException(CniException.TRY_AGAIN_LATER,
          "failed to " + what + " IP: IPAM server " + ioReason(e), transport.describe());
    }
    if (r.status == 200 || r.status == 204) {
      return r;
    }
    String text = serverText(r.body);
    if (r.status == 500) {
      throw new CniException(CniException.ALLOCATION_FAILED, text, "failed to " + what + " IP");
    }
    if (r.status == 429 || r.status == 502 || r.status == 503 || r.status == 504) {
      throw new CniException(CniException.TRY_AGAIN_LATER,
          "failed to " + what + " IP: IPAM server busy (HTTP " + r.status + "): " + text, transport.describe());
    }
    throw new CniException(CniException.UNEXPECTED_STATUS,
        "failed to " + what + " IP: unexpected HTTP " + r.status + " from the IPAM server: " + text,
        transport.describe());
  }

  private String ioReason(IOException e) {
    if (deadline.expired()) {
      return "did not answer within " + deadline.seconds() + "s";
    }
    String m = e.getMessage();
    return "unreachable: " + e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** The server's errors are a JSON string (Spiderpool's {@code Error} schema); show its text. */
  static String serverText(String body) {
    String b = body == null ? "" : body.trim();
    if (b.startsWith("\"")) {
      try {
        return (String) Json.parse(b);
      } catch (RuntimeException ignored) {
        // not a JSON string after all
      }
    }
    return b.length() > 1000 ? b.substring(0, 1000) + "..." : b;
  }
}
