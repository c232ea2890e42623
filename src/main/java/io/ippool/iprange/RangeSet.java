package io.ippool.iprange;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Set algebra on lists of {@link AddressRange}. Every result is "normal": sorted by family (IPv4 first) then
 * address, disjoint, and with touching ranges joined. Within one family this is Go's byte-wise order; Spiderpool
 * never mixes families in one list. Cost is linear in the number of ranges (after sorting), never in the number
 * of addresses they hold.
 */
public final class RangeSet {
  private static final Comparator<AddressRange> ORDER = Comparator.comparingInt(AddressRange::family)
      .thenComparing(AddressRange::first).thenComparing(AddressRange::last);

  private RangeSet() {
  }

  /** Sort, dedupe, and join overlapping or adjacent ranges of the same family. */
  public static List<AddressRange> normalize(List<AddressRange> ranges) {
    List<AddressRange> sorted = new ArrayList<>(ranges);
    sorted.sort(ORDER);
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

  /** {@code a} minus {@code b}: one sweep over both normalized lists. */
  public static List<AddressRange> subtract(List<AddressRange> a, List<AddressRange> b) {
    List<AddressRange> na = normalize(a);
    List<AddressRange> nb = normalize(b);
    List<AddressRange> out = new ArrayList<>(na.size() + nb.size());
    int j = 0;
    for (AddressRange r : na) {
      BigInteger start = r.first();
      // skip cuts wholly before this range
      while (j < nb.size() && before(nb.get(j), r.family(), start)) {
        j++;
      }
      int k = j;
      while (k < nb.size() && nb.get(k).family() == r.family() && nb.get(k).first().compareTo(r.last()) <= 0) {
        AddressRange cut = nb.get(k);
        if (cut.first().compareTo(start) > 0) {
          out.add(new AddressRange(r.family(), start, cut.first().subtract(BigInteger.ONE)));
        }
        if (cut.last().compareTo(start) >= 0) {
          start = cut.last().add(BigInteger.ONE);
        }
        if (start.compareTo(r.last()) > 0) {
          break;
        }
        k++;
      }
      if (start.compareTo(r.last()) <= 0) {
        out.add(new AddressRange(r.family(), start, r.last()));
      }
    }
    return out;
  }

  /** True when {@code cut} lies wholly before address {@code v} of {@code family} in the normal order. */
  private static boolean before(AddressRange cut, int family, BigInteger v) {
    return cut.family() < family || (cut.family() == family && cut.last().compareTo(v) < 0);
  }

  /** Addresses in both: one sweep over both normalized lists. */
  public static List<AddressRange> intersect(List<AddressRange> a, List<AddressRange> b) {
    List<AddressRange> na = normalize(a);
    List<AddressRange> nb = normalize(b);
    List<AddressRange> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < na.size() && j < nb.size()) {
      AddressRange x = na.get(i);
      AddressRange y = nb.get(j);
      if (x.overlaps(y)) {
        out.add(new AddressRange(x.family(), x.first().max(y.first()), x.last().min(y.last())));
      }
      // advance whichever ends first in the normal order
      if (x.family() < y.family() || (x.family() == y.family() && x.last().compareTo(y.last()) < 0)) {
        i++;
      } else {
        j++;
      }
    }
    return out;
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

  /** Binary search; {@code normalized} must come from {@link #normalize} (or any method here). */
  public static boolean contains(List<AddressRange> normalized, Ip ip) {
    int lo = 0;
    int hi = normalized.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      AddressRange r = normalized.get(mid);
      if (r.contains(ip)) {
        return true;
      }
      boolean rangeBefore = r.family() < ip.family() || (r.family() == ip.family() && r.last().compareTo(ip.value()) < 0);
      if (rangeBefore) {
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
}
