package io.ippool.ipam.internal;

import java.math.BigInteger;

/** A subnet: family, network address and prefix length. */
public record Cidr(int family, BigInteger network, int prefix) {

  public static Cidr parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("invalid CIDR address: " + text);
    }
    IpAddr a = IpAddr.parse(text.substring(0, slash));
    int bits = a.family() == 4 ? 32 : 128;
    int p;
    try {
      p = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid CIDR address: " + text);
    }
    if (p < 0 || p > bits) {
      throw new IllegalArgumentException("invalid CIDR address: " + text);
    }
    BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - p).subtract(BigInteger.ONE);
    return new Cidr(a.family(), a.value().andNot(hostMask), p);
  }

  public boolean contains(IpAddr a) {
    if (a.family() != family) {
      return false;
    }
    int bits = family == 4 ? 32 : 128;
    return a.value().shiftRight(bits - prefix).equals(network.shiftRight(bits - prefix));
  }
}
