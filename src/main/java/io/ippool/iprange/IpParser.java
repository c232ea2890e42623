package io.ippool.iprange;

import java.math.BigInteger;

/**
 * A strict re-implementation of the grammar of Go's net.ParseIP (which delegates to netip.ParseAddr and rejects
 * zones). Written by hand because InetAddress.getByName resolves names and accepts forms Go rejects
 * (leading zeros, brackets, short IPv4 forms).
 */
final class IpParser {
  private IpParser() {
  }

  static Ip parse(String s) {
    if (s == null) {
      return null;
    }
    // netip dispatches on whichever of '.', ':' or '%' comes first.
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '.') {
        long v = parseV4(s, 0, s.length());
        return v < 0 ? null : new Ip(4, BigInteger.valueOf(v));
      }
      if (c == ':') {
        byte[] b = parseV6(s);
        return b == null ? null : Ip.fromValue16(new BigInteger(1, b));
      }
      if (c == '%') {
        return null;
      }
    }
    return null;
  }

  /** Dotted quad, decimal, no leading zeros, exactly four fields; -1 when invalid. */
  static long parseV4(String s, int from, int to) {
    long result = 0;
    int val = 0;
    int digits = 0;
    int fields = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        if (digits == 1 && val == 0) {
          return -1; // leading zero
        }
        val = val * 10 + (c - '0');
        digits++;
        if (val > 255) {
          return -1;
        }
      } else if (c == '.') {
        if (i == from || i == to - 1 || s.charAt(i - 1) == '.') {
          return -1;
        }
        if (fields == 3) {
          return -1;
        }
        result = (result << 8) | val;
        fields++;
        val = 0;
        digits = 0;
      } else {
        return -1;
      }
    }
    if (fields < 3) {
      return -1;
    }
    return (result << 8) | val;
  }

  private static byte[] parseV6(String s) {
    if (s.indexOf('%') >= 0) {
      return null; // a zone: netip accepts it, net.ParseIP does not
    }
    byte[] ip = new byte[16];
    int n = s.length();
    int p = 0;
    int ellipsis = -1;
    int i = 0;
    if (n >= 2 && s.charAt(0) == ':' && s.charAt(1) == ':') {
      ellipsis = 0;
      p = 2;
      if (p == n) {
        return ip;
      }
    }
    while (i < 16) {
      int off = p;
      int acc = 0;
      while (off < n) {
        int d = hexDigit(s.charAt(off));
        if (d < 0) {
          break;
        }
        if (off - p > 3) {
          return null; // more than 4 hex digits
        }
        acc = (acc << 4) + d;
        off++;
      }
      if (off == p) {
        return null;
      }
      if (off < n && s.charAt(off) == '.') {
        if (ellipsis < 0 && i != 12) {
          return null;
        }
        if (i + 4 > 16) {
          return null;
        }
        long v4 = parseV4(s, p, n);
        if (v4 < 0) {
          return null;
        }
        ip[i] = (byte) (v4 >>> 24);
        ip[i + 1] = (byte) (v4 >>> 16);
        ip[i + 2] = (byte) (v4 >>> 8);
        ip[i + 3] = (byte) v4;
        i += 4;
        p = n;
        break;
      }
      ip[i] = (byte) (acc >>> 8);
      ip[i + 1] = (byte) acc;
      i += 2;
      p = off;
      if (p == n) {
        break;
      }
      if (s.charAt(p) != ':' || p + 1 == n) {
        return null;
      }
      p++;
      if (s.charAt(p) == ':') {
        if (ellipsis >= 0) {
          return null;
        }
        ellipsis = i;
        p++;
        if (p == n) {
          break;
        }
      }
    }
    if (p != n) {
      return null;
    }
    if (i < 16) {
      if (ellipsis < 0) {
        return null;
      }
      int shift = 16 - i;
      for (int j = i - 1; j >= ellipsis; j--) {
        ip[j + shift] = ip[j];
      }
      for (int j = ellipsis; j < ellipsis + shift; j++) {
        ip[j] = 0;
      }
    } else if (ellipsis >= 0) {
      return null; // "::" must stand for at least one zero group
    }
    return ip;
  }

  /** ASCII only: Character.digit would also accept other scripts' digits. */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
