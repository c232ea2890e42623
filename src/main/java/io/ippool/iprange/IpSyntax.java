package io.ippool.iprange;

import java.util.ArrayList;
import java.util.List;

/**
 * Spiderpool's string-level checks (pkg/ip: IsIPVersion, IsIP, IsCIDR, IsIPRange) with their exact error texts.
 * The family test is govalidator's: a parseable address containing '.' counts as IPv4 and one containing ':' as
 * IPv6, so {@code ::ffff:1.2.3.4} passes both.
 */
public final class IpSyntax {
  private IpSyntax() {
  }

  public static boolean isIPv4(String s) {
    return s != null && s.indexOf('.') >= 0 && Ip.parse(s) != null;
  }

  public static boolean isIPv6(String s) {
    return s != null && s.indexOf(':') >= 0 && Ip.parse(s) != null;
  }

  public static boolean isIP(int version, String s) {
    return version == 4 ? isIPv4(s) : version == 6 && isIPv6(s);
  }

  public static void checkVersion(long version) throws IpRangeException {
    if (version != 4 && version != 6) {
      throw new IpRangeException("invalid IP version '" + version + "'");
    }
  }

  public static void checkIP(int version, String s) throws IpRangeException {
    checkVersion(version);
    if (!isIP(version, s)) {
      throw new IpRangeException("invalid IP format in IPv" + version + " '" + s + "'");
    }
  }

  public static void checkCIDR(int version, String s) throws IpRangeException {
    checkVersion(version);
    if (!Cidr.isCidrOfVersion(version, s)) {
      throw new IpRangeException("invalid CIDR format in IPv" + version + " '" + s + "'");
    }
  }

  /** Spiderpool ParseCIDR(version, s): the version check, then the masked network. */
  public static Cidr parseCIDR(int version, String s) throws IpRangeException {
    checkCIDR(version, s);
    return Cidr.parse(s);
  }

  /**
   * Spiderpool IsIPRange: {@code a} or {@code a-b}, both of the version's textual family, {@code a <= b}.
   * Unlike Go (which compares a 4-byte with a 16-byte number) ends of different address families are refused.
   */
  public static boolean isIPRange(int version, String r) {
    if (r == null || (version != 4 && version != 6)) {
      return false;
    }
    List<String> parts = splitDash(r);
    if (parts.size() > 2) {
      return false;
    }
    for (String p : parts) {
      if (!isIP(version, p)) {
        return false;
      }
    }
    if (parts.size() == 2) {
      Ip a = Ip.parse(parts.get(0));
      Ip b = Ip.parse(parts.get(1));
      return a.family() == b.family() && a.value().compareTo(b.value()) <= 0;
    }
    return true;
  }

  public static void checkIPRange(int version, String r) throws IpRangeException {
    checkVersion(version);
    if (!isIPRange(version, r)) {
      throw new IpRangeException("invalid IP range format in IPv" + version + " '" + r + "'");
    }
  }

  /** The interval of a range that passed {@link #checkIPRange}. */
  public static AddressRange parseIPRange(int version, String r) throws IpRangeException {
    checkIPRange(version, r);
    List<String> parts = splitDash(r);
    Ip a = Ip.parse(parts.get(0));
    Ip b = parts.size() == 2 ? Ip.parse(parts.get(1)) : a;
    return AddressRange.of(a, b);
  }

  /**
   * True when a two-ended range has both ends parseable, of one family, and the start above the end: the case
   * Spiderpool's NewCIDR silently swaps.
   */
  public static boolean isReversedRange(String r) {
    List<String> parts = splitDash(r);
    if (parts.size() != 2) {
      return false;
    }
    Ip a = Ip.parse(parts.get(0));
    Ip b = Ip.parse(parts.get(1));
    return a != null && b != null && a.family() == b.family() && a.value().compareTo(b.value()) > 0;
  }

  /** Go strings.Split(s, "-"): keeps empty parts, so "a-" is ["a", ""]. */
  static List<String> splitDash(String s) {
    List<String> parts = new ArrayList<>(2);
    int start = 0;
    int i;
    while ((i = s.indexOf('-', start)) >= 0) {
      parts.add(s.substring(start, i));
      start = i + 1;
    }
    parts.add(s.substring(start));
    return parts;
  }
}
