package io.ippool.iprange;

import java.math.BigInteger;

/** Go's net.IP.String(): what Spiderpool writes back into merged ranges, so stored text matches byte for byte. */
final class IpFormat {
  private IpFormat() {
  }

  static String format(int family, BigInteger value) {
    return family == 4 ? formatV4(value.longValue()) : formatV6(value);
  }

  private static String formatV4(long v) {
    return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
  }

  private static String formatV6(BigInteger v) {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = v.shiftRight(16 * (7 - i)).intValue() & 0xffff;
    }
    // Longest run of >= 2 zero groups; the first one wins a tie (strictly-longer replaces).
    int zeroStart = -1;
    int zeroLen = 1;
    for (int i = 0; i < 8; i++) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > zeroLen) {
        zeroStart = i;
        zeroLen = j - i;
      }
    }
    StringBuilder b = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == zeroStart) {
        b.append("::");
        i += zeroLen - 1;
        continue;
      }
      if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      b.append(Integer.toHexString(g[i]));
    }
    return b.toString();
  }
}
