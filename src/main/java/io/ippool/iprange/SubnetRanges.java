package io.ippool.iprange;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Spiderpool's NewCIDR(base, ranges, exclude) engine (pkg/ip/subnet.go): parses include ranges against a base
 * subnet, refuses overlaps among them with Spiderpool's exact messages, then cuts out the excludes. The kept
 * pieces remember the raw text they came from, because the overlap error between pools quotes it.
 */
public final class SubnetRanges {

  /** One effective piece of an include entry. {@code raw} is the entry it was cut from. */
  public record Piece(String raw, int family, BigInteger start, BigInteger end) {
    boolean overlaps(Piece o) {
      return start.compareTo(o.end) <= 0 && o.start.compareTo(end) <= 0;
    }
  }

  private final Cidr base;
  private final List<Piece> pieces;

  private SubnetRanges(Cidr base, List<Piece> pieces) {
    this.base = base;
    this.pieces = pieces;
  }

  /** Exactly Spiderpool's behaviour, including swapping a reversed range. Use for data already stored. */
  public static SubnetRanges of(String base, List<String> includes, List<String> excludes) throws IpRangeException {
    return build(base, includes, excludes, false);
  }

  /** As {@link #of}, but a reversed range throws {@link ReversedRangeException} where Go would have swapped it. */
  public static SubnetRanges strict(String base, List<String> includes, List<String> excludes)
      throws IpRangeException {
    return build(base, includes, excludes, true);
  }

  private static SubnetRanges build(String baseText, List<String> includes, List<String> excludes,
      boolean refuseReversed) throws IpRangeException {
    Cidr base = Cidr.parse(baseText);
    if (base == null) {
      throw new IpRangeException("invalid CIDR address: " + baseText);
    }
    int family = base.network().family();
    List<Piece> kept = new ArrayList<>();
    for (int i = 0; i < includes.size(); i++) {
      String item = includes.get(i);
      BigInteger[] se = parse(base, item);
      if (se[0].compareTo(se[1]) > 0) {
        if (refuseReversed) {
          throw new ReversedRangeException(family, false, i, item);
        }
        se = new BigInteger[] {se[1], se[0]};
      }
      Piece a = new Piece(item, family, se[0], se[1]);
      for (Piece b : kept) {
        checkNoOverlap(a, b);
      }
      kept.add(a);
    }
    List<Piece> cuts = new ArrayList<>();
    for (int i = 0; i < excludes.size(); i++) {
      String item = excludes.get(i);
      BigInteger[] se = parse(base, item);
      if (refuseReversed && se[0].compareTo(se[1]) > 0) {
        throw new ReversedRangeException(family, true, i, item);
      }
      cuts.add(new Piece(item, family, se[0], se[1]));
    }
    for (Piece cut : cuts) {
      kept = cut(kept, cut);
    }
    return new SubnetRanges(base, kept);
  }

  private static void checkNoOverlap(Piece a, Piece b) throws IpRangeException {
    if (a.start.compareTo(b.start) >= 0 && a.end.compareTo(b.end) <= 0) {
      throw new IpRangeException("range " + a.raw + " is already covered by " + b.raw);
    }
    if (a.start.compareTo(b.start) <= 0 && a.end.compareTo(b.end) >= 0) {
      throw new IpRangeException("range " + a.raw + " covers " + b.raw);
    }
    if (a.overlaps(b)) {
      throw new IpRangeException("range " + a.raw + " overlaps with " + b.raw);
    }
  }

  /**
   * Go's removeExcludeIPRange step for one exclude. A reversed exclude (Go does not swap excludes) removes
   * nothing, as in Go.
   */
  private static List<Piece> cut(List<Piece> pieces, Piece cut) {
    List<Piece> out = new ArrayList<>(pieces.size() + 1);
    for (Piece p : pieces) {
      if (p.start.compareTo(cut.end) > 0 || p.end.compareTo(cut.start) < 0) {
        out.add(p);
        continue;
      }
      if (p.start.compareTo(cut.start) < 0) {
        out.add(new Piece(p.raw, p.family, p.start, cut.start.subtract(BigInteger.ONE)));
      }
      if (p.end.compareTo(cut.end) > 0) {
        out.add(new Piece(p.raw, p.family, cut.end.add(BigInteger.ONE), p.end));
      }
    }
    return out;
  }

  /** Go CIDR.parse: returns {start, end} as written (possibly reversed). */
  private static BigInteger[] parse(Cidr base, String value) throws IpRangeException {
    List<String> parts = IpSyntax.splitDash(value);
    if (parts.size() > 2 || (parts.size() == 1 && value.contains("/"))) {
      throw new IpRangeException("invalid range: " + value);
    }
    BigInteger start = toValue(base, parts.get(0));
    BigInteger end = parts.size() == 2 ? toValue(base, parts.get(1)) : start;
    return new BigInteger[] {start, end};
  }

  private static BigInteger toValue(Cidr base, String text) throws IpRangeException {
    Ip ip = Ip.parse(text);
    if (ip == null) {
      throw new IpRangeException("invalid IP address: " + text);
    }
    if (!base.contains(ip)) {
      throw new IpRangeException("not match base subnet: " + text);
    }
    return ip.value();
  }

  public Cidr base() {
    return base;
  }

  /** Effective pieces in Spiderpool's order (include order, split by excludes); adjacent ones are not joined. */
  public List<Piece> pieces() {
    return pieces;
  }

  /** The effective set, normalized. */
  public List<AddressRange> ranges() {
    List<AddressRange> out = new ArrayList<>(pieces.size());
    for (Piece p : pieces) {
      out.add(new AddressRange(p.family, p.start, p.end));
    }
    return RangeSet.normalize(out);
  }

  /** Spiderpool TotalIP(): pieces never overlap, so the plain sum is the set size. */
  public BigInteger total() {
    BigInteger t = BigInteger.ZERO;
    for (Piece p : pieces) {
      t = t.add(p.end.subtract(p.start)).add(BigInteger.ONE);
    }
    return t;
  }

  /** Spiderpool TotalIPInt(): capped at 2^63-1, the value of status.totalIPCount. */
  public long totalCapped() {
    BigInteger t = total();
    return t.bitLength() > 63 ? Long.MAX_VALUE : t.longValueExact();
  }

  /**
   * Spiderpool IsOverlapIPRanges: for every pair (mine, theirs) that intersects, the raw text of theirs, with
   * repeats, in (mine, theirs) order. Empty when disjoint.
   */
  public List<String> overlappingRaws(SubnetRanges other) {
    List<String> raws = new ArrayList<>();
    for (Piece x : pieces) {
      for (Piece y : other.pieces) {
        if (x.family == y.family && x.overlaps(y)) {
          raws.add(y.raw);
        }
      }
    }
    return raws;
  }
}
