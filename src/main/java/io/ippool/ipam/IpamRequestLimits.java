package io.ippool.ipam;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What each field of an IPAM request may hold, checked before the request joins a batch: one request's
 * odd bytes must not be able to fail the statement that serves its neighbours. The limits are those of
 * the things the fields name: CNI's container IDs and interface names, Kubernetes' namespace, pod and
 * object names and UIDs.
 */
final class IpamRequestLimits {
  /** CNI: starts alphanumeric, then alphanumerics, '_', '.', '-'. Runtimes use 64 hex digits. */
  private static final Pattern CONTAINER_ID = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");
  private static final int CONTAINER_ID_MAX = 256;
  /** Linux: at most 15 bytes, no '/', ':' or whitespace, and not "." or "..". */
  private static final Pattern IF_NAME = Pattern.compile("^(?!\\.{1,2}$)[^/:\\s\\p{Cntrl}]{1,15}$");
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  /** Kubernetes UIDs are UUIDs; anything printable and short is accepted, empty included (not required). */
  private static final Pattern UID = Pattern.compile("^[\\x21-\\x7e]*$");
  private static final int UID_MAX = 128;
  private static final Pattern NO_CONTROL = Pattern.compile("^[^\\p{Cntrl}]*$");
  private static final int PATH_MAX = 4096;

  private IpamRequestLimits() {
  }

  static void containerID(String v) {
    bounded("containerID", v, 1, CONTAINER_ID_MAX);
    matches("containerID", v, CONTAINER_ID);
  }

  static void ifName(String v) {
    bounded("ifName", v, 1, 15);
    matches("ifName", v, IF_NAME);
  }

  static void podNamespace(String v) {
    bounded("podNamespace", v, 1, 63);
    matches("podNamespace", v, DNS_LABEL);
  }

  static void podName(String v) {
    bounded("podName", v, 1, 253);
    matches("podName", v, DNS_SUBDOMAIN);
  }

  static void podUID(String v) {
    bounded("podUID", v, 0, UID_MAX);
    matches("podUID", v, UID);
  }

  static void netNamespace(String v) {
    if (v != null) {
      bounded("netNamespace", v, 0, PATH_MAX);
      matches("netNamespace", v, NO_CONTROL);
    }
  }

  static void poolNames(String field, List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      bounded(field + "." + i, names.get(i), 1, 253);
      matches(field + "." + i, names.get(i), DNS_SUBDOMAIN);
    }
  }

  private static void bounded(String field, String v, int min, int max) {
    if (v.length() < min) {
      throw new IpamInputException(IpamInputException.TOO_SHORT,
          field + " in body should be at least " + min + " chars long");
    }
    if (v.length() > max) {
      throw new IpamInputException(IpamInputException.TOO_LONG,
          field + " in body should be at most " + max + " chars long");
    }
  }

  private static void matches(String field, String v, Pattern p) {
    if (!p.matcher(v).matches()) {
      throw new IpamInputException(IpamInputException.PATTERN,
          field + " in body should match '" + p.pattern() + "'");
    }
  }
}
