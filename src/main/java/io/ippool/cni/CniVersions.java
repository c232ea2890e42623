package io.ippool.cni;

import java.util.List;

/** The CNI spec versions this plugin speaks, the same set Spiderpool's plugin supports. */
final class CniVersions {
  static final List<String> SUPPORTED = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0");
  static final String LATEST = "1.0.0";

  private CniVersions() {}

  static boolean supported(String v) {
    return SUPPORTED.contains(v);
  }

  /** CHECK exists since 0.4.0; libcni's skel rejects it for older configs with code 1. */
  static boolean hasCheck(String v) {
    return v.equals("0.4.0") || v.equals("1.0.0");
  }

  /** 0.3.x and 0.4.0 results carry {@code "version": "4"|"6"} on every ip entry; 1.0.0 dropped it. */
  static boolean ipsCarryVersion(String v) {
    return !v.equals("1.0.0");
  }

  /** The VERSION command's answer. */
  static String versionInfo() {
    return "{\"cniVersion\":\"" + LATEST + "\",\"supportedVersions\":"
        + Json.write(SUPPORTED) + "}";
  }
}
