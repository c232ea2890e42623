package io.ippool.ipam.internal;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP address as an unsigned integer of its family. Private to the allocator until the shared
 * {@code io.ippool.iprange} package lands; only what the allocator needs (parse, format like Go's
 * net.IP.String, arithmetic through BigInteger).
 */
public record IpAddr(int family, BigInteger value) implements Comparable<IpAddr> {

  public static final BigInteger MAX_V4 = BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE);
  public static final BigInteger MAX_V6 = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

  /** Parses a literal address (no brackets, no zone, no prefix). Throws IllegalArgumentException. */
  public static IpAddr parse(String text) {
    String s = text == null ? "" : text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
    }
    boolean v6 = s.indexOf(':') >= 0;
    if (!v6 && !s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
    }
    if (v6 && !s.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
    }
    try {
      // Only literals reach here (checked above), so no name lookup happens.
      byte[] b = InetAddress.getByName(s).getAddress();
      if (v6 && b.length == 4) {
        // Java folds ::ffff:a.b.c.d to IPv4; keep it IPv6 as it was written.
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        System.arraycopy(b, 0, m, 12, 4);
        b = m;
      }
      return new IpAddr(b.length == 4 ? 4 : 6, new BigInteger(1, b));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
    }
  }

  public static BigInteger max(int family) {
    return family == 4 ? MAX_V4 : MAX_V6;
  }

  public IpAddr plus(long n) {
    return new IpAddr(family, value.add(BigInteger.valueOf(n)));
  }

  /** Canonical text as Go prints it: dotted quad, or RFC 5952 (lower case, longest zero run of 2+ groups). */
  @Override
  public String toString() {
    return format(family, value);
  }

  public static String format(int family, BigInteger v) {
    if (family == 4) {
      long x = v.longValue();
      return ((x >> 24) & 255) + "." + ((x >> 16) & 255) + "." + ((x >> 8) & 255) + "." + (x & 255);
    }
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = v.shiftRight(16 * (7 - i)).intValue() & 0xffff;
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen < 2) {
      bestStart = -1;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        b.append("::");
        i += bestLen - 1;
        continue;
      }
      if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      b.append(Integer.toHexString(g[i]));
    }
    return b.toString();
  }

  @Override
  public int compareTo(IpAddr o) {
    int c = Integer.compare(family, o.family);
    return c != 0 ? c : value.compareTo(o.value);
  }
}
