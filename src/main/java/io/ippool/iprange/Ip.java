package io.ippool.iprange;

import java.math.BigInteger;

/**
 * One IP address as Go's net.IP sees it. {@code family} follows Go's {@code ip.To4() != nil} test, so the
 * IPv4-mapped form {@code ::ffff:1.2.3.4} is family 4 with a 32-bit value: Go treats it as the same address as
 * {@code 1.2.3.4} everywhere (printing, subnet containment, range comparison). {@code value} is 32 bits for
 * family 4 and 128 bits for family 6.
 */
public record Ip(int family, BigInteger value) implements Comparable<Ip> {
  private static final BigInteger V4_MAPPED_PREFIX = BigInteger.valueOf(0xffffL).shiftLeft(32);
  private static final BigInteger MAX_V4 = BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE);
  private static final BigInteger MAX_V6 = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

  public Ip {
    if (family != 4 && family != 6) {
      throw new IllegalArgumentException("family must be 4 or 6: " + family);
    }
    if (value.signum() < 0 || value.compareTo(maxValue(family)) > 0) {
      throw new IllegalArgumentException("address out of range for IPv" + family + ": " + value);
    }
  }

  /** Go net.ParseIP: returns null where Go returns nil. Never does name resolution. */
  public static Ip parse(String text) {
    return IpParser.parse(text);
  }

  /** From the 16-byte form, folding IPv4-mapped addresses to family 4 as Go's To4 does. */
  public static Ip fromValue16(BigInteger v16) {
    if (v16.shiftRight(32).equals(BigInteger.valueOf(0xffffL))) {
      return new Ip(4, v16.and(MAX_V4));
    }
    return new Ip(6, v16);
  }

  public static BigInteger maxValue(int family) {
    return family == 4 ? MAX_V4 : MAX_V6;
  }

  public int bits() {
    return family == 4 ? 32 : 128;
  }

  /** The 16-byte form as a number: Go sorts and compares addresses this way, so v4 sorts inside ::ffff:0:0/96. */
  public BigInteger value16() {
    return family == 4 ? V4_MAPPED_PREFIX.or(value) : value;
  }

  @Override
  public int compareTo(Ip o) {
    return value16().compareTo(o.value16());
  }

  /** Go net.IP.String(). */
  @Override
  public String toString() {
    return IpFormat.format(family, value);
  }
}
