package io.ippool.iprange;

import java.math.BigInteger;

/**
 * An inclusive interval of addresses of one family. Values are 32-bit for IPv4 and 128-bit for IPv6. This is the
 * unit the allocator stores; nothing in this package ever expands it into single addresses.
 */
public record AddressRange(int family, BigInteger first, BigInteger last) {

  public AddressRange {
    if (family != 4 && family != 6) {
      throw new IllegalArgumentException("family must be 4 or 6: " + family);
    }
    BigInteger max = Ip.maxValue(family);
    if (first.signum() < 0 || last.compareTo(max) > 0 || first.compareTo(last) > 0) {
      throw new IllegalArgumentException("bad IPv" + family + " range " + first + "-" + last);
    }
  }

  public static AddressRange of(Ip first, Ip last) {
    if (first.family() != last.family()) {
      throw new IllegalArgumentException("mixed families: " + first + "-" + last);
    }
    return new AddressRange(first.family(), first.value(), last.value());
  }

  public static AddressRange single(Ip ip) {
    return of(ip, ip);
  }

  public BigInteger size() {
    return last.subtract(first).add(BigInteger.ONE);
  }

  public boolean contains(Ip ip) {
    return ip.family() == family && first.compareTo(ip.value()) <= 0 && ip.value().compareTo(last) <= 0;
  }

  public boolean overlaps(AddressRange o) {
    return family == o.family && first.compareTo(o.last) <= 0 && o.first.compareTo(last) <= 0;
  }

  public Ip firstIp() {
    return new Ip(family, first);
  }

  public Ip lastIp() {
    return new Ip(family, last);
  }

  /** Spiderpool's range text: {@code a} for one address, {@code a-b} otherwise, in Go canonical form. */
  public String toText() {
    return first.equals(last) ? firstIp().toString() : firstIp() + "-" + lastIp();
  }

  @Override
  public String toString() {
    return "IPv" + family + "[" + toText() + "]";
  }
}
