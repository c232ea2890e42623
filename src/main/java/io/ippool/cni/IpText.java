package io.ippool.cni;

/**
 * Checks IP literals without {@code InetAddress.getByName}, which would fall back to a DNS lookup
 * for anything that is not a literal.
 */
final class IpText {
  private IpText() {}

  /** 4 or 6 for a valid IPv4/IPv6 literal, else 0. */
  static int family(String s) {
    if (s == null || s.isEmpty()) {
      return 0;
    }
    if (s.indexOf(':') >= 0) {
      return v6(s) ? 6 : 0;
    }
    return v4(s) ? 4 : 0;
  }

  /** 4 or 6 for "ip/prefix" with a prefix in range, else 0. */
  static int cidrFamily(String s) {
    if (s == null) {
      return 0;
    }
    int slash = s.indexOf('/');
    if (slash < 0 || slash == s.length() - 1 || s.length() - slash > 4) {
      return 0;
    }
    int f = family(s.substring(0, slash));
    int prefix;
    try {
      prefix = Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
    int max = f == 4 ? 32 : 128;
    return f != 0 && prefix >= 0 && prefix <= max && Character.isDigit(s.charAt(slash + 1)) ? f : 0;
  }

  private static boolean v4(String s) {
    String[] p = s.split("\\.", -1);
    if (p.length != 4) {
      return false;
    }
    for (String o : p) {
      if (o.isEmpty() || o.length() > 3 || (o.length() > 1 && o.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < o.length(); i++) {
        if (!Character.isDigit(o.charAt(i))) {
          return false;
        }
      }
      if (Integer.parseInt(o) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean v6(String s) {
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return false;
    }
    String[] groups = s.split(":", -1);
    int count = 0;
    for (int i = 0; i < groups.length; i++) {
      String g = groups[i];
      if (g.isEmpty()) {
        continue; // part of "::" (checked above) or a leading/trailing "::"
      }
      if (i == groups.length - 1 && g.indexOf('.') >= 0) {
        if (!v4(g)) {
          return false;
        }
        count += 2;
        continue;
      }
      if (g.length() > 4) {
        return false;
      }
      for (int k = 0; k < g.length(); k++) {
        if (Character.digit(g.charAt(k), 16) < 0) {
          return false;
        }
      }
      count++;
    }
    if (dbl < 0) {
      return count == 8 && !s.startsWith(":") && !s.endsWith(":");
    }
    // a single ':' at either end is only valid as part of "::"
    if (s.startsWith(":") && !s.startsWith("::") || s.endsWith(":") && !s.endsWith("::")) {
      return false;
    }
    return count < 8;
  }
}
