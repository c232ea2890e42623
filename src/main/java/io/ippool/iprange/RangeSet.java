package io.ippool.iprange;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Set algebra on lists of {@link AddressRange}. Every result is "normal": sorted the way Go sorts 16-byte
 * addresses, disjoint, and with touching ranges joined. Cost depends on the number of ranges, never on how many
 * addresses they hold.
 */
public final class RangeSet {
  private static final BigInteger V4_MAPPED_PREFIX = BigInteger.valueOf(0xffffL).shiftLeft(32);
  private static final Comparator<AddressRange> GO_ORDER =
      Comparator.comparing((AddressRange r) -> sortKey(r.family(), r.first())).thenComparing(AddressRange::last);

  private RangeSet() {
  }

  /** Sort, dedupe, and join overlapping or adjacent ranges of the same family. */
  public static List<AddressRange> normalize(List<AddressRange> ranges) {
    List<AddressRange> sorted = new ArrayList<>(ranges);
    sorted.sort(GO_ORDER);
    List<AddressRange> out = new ArrayList<>(sorted.size());
    for (AddressRange r : sorted) {
      if (!out.isEmpty()) {
        AddressRange prev = out.get(out.size() - 1);
        if (prev.family() == r.family() && r.first().compareTo(prev.last().add(BigInteger.ONE)) <= 0) {
          if (r.last().compareTo(prev.last()) > 0) {
            out.set(out.size() - 1, new AddressRange(prev.family(), prev.first(), r.last()));
          }
          continue;
        }
      }
      out.add(r);
    }
    return out;
  }

  /** {@code a} minus {@code b}. */
  public static List<AddressRange> subtract(List<AddressRange> a, List<AddressRange> b) {
    List<AddressRange> result = normalize(a);
    for (AddressRange cut : normalize(b)) {
      List<AddressRange> next = new ArrayList<>(result.size() + 1);
      for (AddressRange r : result) {
        if (!r.overlaps(cut)) {
          next.add(r);
          continue;
        }
        if (r.first().compareTo(cut.first()) < 0) {
          next.add(new AddressRange(r.family(), r.first(), cut.first().subtract(BigInteger.ONE)));
        }
        if (r.last().compareTo(cut.last()) > 0) {
          next.add(new AddressRange(r.family(), cut.last().add(BigInteger.ONE), r.last()));
        }
      }
      result = next;
    }
    return result;
  }

  public static List<AddressRange> intersect(List<AddressRange> a, List<AddressRange> b) {
    List<AddressRange> na = normalize(a);
    List<AddressRange> nb = normalize(b);
    List<AddressRange> out = new ArrayList<>();
    for (AddressRange x : na) {
      for (AddressRange y : nb) {
        if (x.overlaps(y)) {
          BigInteger lo = x.first().max(y.first());
          BigInteger hi = x.last().min(y.last());
          out.add(new AddressRange(x.family(), lo, hi));
        }
      }
    }
    return normalize(out);
  }

  public static List<AddressRange> union(List<AddressRange> a, List<AddressRange> b) {
    List<AddressRange> all = new ArrayList<>(a);
    all.addAll(b);
    return normalize(all);
  }

  /** Number of distinct addresses. */
  public static BigInteger count(List<AddressRange> ranges) {
    BigInteger total = BigInteger.ZERO;
    for (AddressRange r : normalize(ranges)) {
      total = total.add(r.size());
    }
    return total;
  }

  /** {@link #count} capped at Long.MAX_VALUE, as Spiderpool caps status.totalIPCount. */
  public static long countCapped(List<AddressRange> ranges) {
    BigInteger c = count(ranges);
    return c.bitLength() > 63 ? Long.MAX_VALUE : c.longValueExact();
  }

  /** Binary search; {@code normalized} must come from {@link #normalize}. */
  public static boolean contains(List<AddressRange> normalized, Ip ip) {
    BigInteger key = ip.value16();
    int lo = 0;
    int hi = normalized.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      AddressRange r = normalized.get(mid);
      if (r.contains(ip)) {
        return true;
      }
      if (sortKey(r.family(), r.first()).compareTo(key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return false;
  }

  /** Texts in Spiderpool's range syntax. */
  public static List<String> toTexts(List<AddressRange> ranges) {
    return ranges.stream().map(AddressRange::toText).toList();
  }

  private static BigInteger sortKey(int family, BigInteger v) {
    return family == 4 ? V4_MAPPED_PREFIX.or(v) : v;
  }
}
