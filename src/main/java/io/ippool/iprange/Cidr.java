package io.ippool.iprange;

import java.math.BigInteger;

/**
 * A CIDR as Go's net.ParseCIDR returns it: the host address as written ({@link #address()}, which decides
 * Spiderpool's IsIPv4CIDR/IsIPv6CIDR) and the masked network. The network of an IPv4-mapped IPv6 CIDR with a
 * prefix of 96 or more is an IPv4 network, because Go's IPNet.String and IPNet.Contains fold it that way
 * ({@code ::ffff:1.2.3.0/120} prints as {@code 1.2.3.0/24}).
 *
 * @param text       the input, unchanged
 * @param address    the unmasked host address
 * @param maskOnes   the prefix length as written (Go's Mask.Size(), used by Spiderpool's IsCIDROverlap)
 * @param network    the masked network address, in its folded family
 * @param prefix     the prefix length within {@code network}'s family
 */
public record Cidr(String text, Ip address, int maskOnes, Ip network, int prefix) {

  /** Go net.ParseCIDR; null where Go returns an error. */
  public static Cidr parse(String text) {
    if (text == null) {
      return null;
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      return null;
    }
    String addr = text.substring(0, slash);
    Ip ip = Ip.parse(addr);
    if (ip == null) {
      return null;
    }
    boolean dottedLiteral = isDottedLiteral(addr);
    int bits = dottedLiteral ? 32 : 128;
    int ones = parsePrefix(text.substring(slash + 1), bits);
    if (ones < 0) {
      return null;
    }
    if (dottedLiteral) {
      return new Cidr(text, ip, ones, new Ip(4, mask(ip.value(), 32, ones)), ones);
    }
    BigInteger masked16 = mask(ip.value16(), 128, ones);
    Ip net = Ip.fromValue16(masked16);
    return new Cidr(text, ip, ones, net, net.family() == 4 ? ones - 96 : ones);
  }

  /** Spiderpool IsIPv4CIDR / IsIPv6CIDR: parses, and the unmasked address is (not) an IPv4 one. */
  public static boolean isCidrOfVersion(int version, String text) {
    Cidr c = parse(text);
    return c != null && c.address().family() == version;
  }

  /** Version of the address as written: what Spiderpool derives spec.ipVersion from. */
  public int version() {
    return address.family();
  }

  /** Go IPNet.String(): Spiderpool's only accepted spelling of spec.subnet. */
  public String canonical() {
    return network + "/" + prefix;
  }

  public BigInteger firstValue() {
    return network.value();
  }

  public BigInteger lastValue() {
    int hostBits = network.bits() - prefix;
    return network.value().or(BigInteger.ONE.shiftLeft(hostBits).subtract(BigInteger.ONE));
  }

  public AddressRange toRange() {
    return new AddressRange(network.family(), firstValue(), lastValue());
  }

  /** Go IPNet.Contains: family must match after folding IPv4-mapped addresses. */
  public boolean contains(Ip ip) {
    if (ip == null || ip.family() != network.family()) {
      return false;
    }
    int hostBits = network.bits() - prefix;
    return ip.value().shiftRight(hostBits).equals(network.value().shiftRight(hostBits));
  }

  /** Spiderpool containsCIDR: this prefix is no longer than the other's and holds its network address. */
  public boolean containsCidr(Cidr other) {
    return maskOnes <= other.maskOnes && contains(other.network);
  }

  /**
   * Spiderpool's IsCIDROverlap: one network contains the other, either way round. Two spellings of one network
   * overlap; the same spelling never reaches this check, because validation lets pools share an identical subnet
   * string first.
   */
  public boolean overlaps(Cidr other) {
    return containsCidr(other) || other.containsCidr(this);
  }

  private static boolean isDottedLiteral(String addr) {
    for (int i = 0; i < addr.length(); i++) {
      char c = addr.charAt(i);
      if (c == '.') {
        return true;
      }
      if (c == ':') {
        return false;
      }
    }
    return false;
  }

  /** Go dtoi: decimal digits only (leading zeros allowed, so "/024" is 24), at most {@code bits}. */
  private static int parsePrefix(String s, int bits) {
    if (s.isEmpty()) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = Math.min(n * 10 + (c - '0'), 1_000_000); // saturate: any leading-zero count is legal
    }
    return n <= bits ? n : -1;
  }

  private static BigInteger mask(BigInteger v, int bits, int ones) {
    int hostBits = bits - ones;
    return v.shiftRight(hostBits).shiftLeft(hostBits);
  }
}
