package io.ippool.iprange;

import java.util.ArrayList;
import java.util.List;

/** Spiderpool's list-level range utilities, done on intervals. */
public final class IpRanges {
  private IpRanges() {
  }

  /**
   * Spiderpool MergeIPRanges: every entry must pass IsIPRange for {@code version}, every address must really be of
   * that family (Go's To4 test), then the union is written sorted, deduplicated and joined, in Go canonical text.
   */
  public static List<String> merge(int version, List<String> ranges) throws IpRangeException {
    return RangeSet.toTexts(RangeSet.normalize(parseAll(version, ranges)));
  }

  /** Parse every entry (IsIPRange + family check) into intervals, in input order. */
  public static List<AddressRange> parseAll(int version, List<String> ranges) throws IpRangeException {
    List<AddressRange> out = new ArrayList<>(ranges.size());
    for (String r : ranges) {
      AddressRange a = IpSyntax.parseIPRange(version, r);
      if (a.family() != version) {
        // Go ConvertIPsToIPRanges: "%wv%d IP '%s'" with ErrInvalidIP = "invalid IP".
        throw new IpRangeException("invalid IPv" + version + " IP '" + a.firstIp() + "'");
      }
      out.add(a);
    }
    return out;
  }

  /** Spiderpool CIDRToLabelValue: the subnet with its first 3 '.', first 7 ':' and first '/' turned into '-'. */
  public static String cidrToLabelValue(int version, String subnet) throws IpRangeException {
    IpSyntax.checkCIDR(version, subnet);
    String v = replaceFirstN(subnet, '.', 3);
    v = replaceFirstN(v, ':', 7);
    return replaceFirstN(v, '/', 1);
  }

  private static String replaceFirstN(String s, char c, int n) {
    StringBuilder b = new StringBuilder(s);
    for (int i = 0; i < b.length() && n > 0; i++) {
      if (b.charAt(i) == c) {
        b.setCharAt(i, '-');
        n--;
      }
    }
    return b.toString();
  }
}
