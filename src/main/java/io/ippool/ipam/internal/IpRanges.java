package io.ippool.ipam.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Sorted, disjoint, non-adjacent inclusive intervals of one family. Pool specs are turned into these
 * (ips minus excludeIPs) and stored as rows; addresses are never expanded.
 */
public final class IpRanges {
  /** One inclusive interval. */
  public record Range(BigInteger first, BigInteger last) {
    public BigInteger size() {
      return last.subtract(first).add(BigInteger.ONE);
    }
  }

  private final int family;
  private final List<Range> ranges;

  private IpRanges(int family, List<Range> ranges) {
    this.family = family;
    this.ranges = List.copyOf(ranges);
  }

  public static IpRanges empty(int family) {
    return new IpRanges(family, List.of());
  }

  /**
   * Parses Spiderpool range strings ({@code a}, {@code a-b}) of one family. A reversed range ({@code b-a})
   * contributes nothing. Throws IllegalArgumentException on bad syntax or a family mismatch.
   */
  public static IpRanges parse(int family, List<String> specs) {
    List<Range> raw = new ArrayList<>();
    for (String spec : specs) {
      String s = spec.trim();
      int dash = s.indexOf('-');
      IpAddr first = IpAddr.parse(dash < 0 ? s : s.substring(0, dash));
      IpAddr last = dash < 0 ? first : IpAddr.parse(s.substring(dash + 1));
      if (first.family() != family || last.family() != family) {
        throw new IllegalArgumentException("IP range \"" + spec + "\" is not IPv" + family);
      }
      if (first.value().compareTo(last.value()) <= 0) {
        raw.add(new Range(first.value(), last.value()));
      }
    }
    return normalise(family, raw);
  }

  /** From arbitrary (possibly overlapping, unsorted) intervals. */
  public static IpRanges of(int family, List<Range> raw) {
    return normalise(family, raw);
  }

  private static IpRanges normalise(int family, List<Range> raw) {
    List<Range> sorted = new ArrayList<>(raw);
    sorted.sort(Comparator.comparing(Range::first));
    List<Range> out = new ArrayList<>();
    for (Range r : sorted) {
      if (!out.isEmpty()) {
        Range prev = out.get(out.size() - 1);
        if (r.first().compareTo(prev.last().add(BigInteger.ONE)) <= 0) {
          out.set(out.size() - 1, new Range(prev.first(), prev.last().max(r.last())));
          continue;
        }
      }
      out.add(r);
    }
    return new IpRanges(family, out);
  }

  public int family() {
    return family;
  }

  public List<Range> ranges() {
    return ranges;
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  public BigInteger size() {
    BigInteger n = BigInteger.ZERO;
    for (Range r : ranges) {
      n = n.add(r.size());
    }
    return n;
  }

  public IpRanges minus(IpRanges other) {
    List<Range> out = new ArrayList<>();
    int j = 0;
    List<Range> sub = other.ranges;
    for (Range r : ranges) {
      BigInteger cur = r.first();
      while (j < sub.size() && sub.get(j).last().compareTo(cur) < 0) {
        j++;
      }
      int k = j;
      while (k < sub.size() && sub.get(k).first().compareTo(r.last()) <= 0 && cur.compareTo(r.last()) <= 0) {
        Range s = sub.get(k);
        if (s.first().compareTo(cur) > 0) {
          out.add(new Range(cur, s.first().subtract(BigInteger.ONE)));
        }
        cur = cur.max(s.last().add(BigInteger.ONE));
        k++;
      }
      if (cur.compareTo(r.last()) <= 0) {
        out.add(new Range(cur, r.last()));
      }
    }
    return new IpRanges(family, out);
  }

  /** Lowest address of this set, or null when empty. */
  public BigInteger lowest() {
    return ranges.isEmpty() ? null : ranges.get(0).first();
  }

  public boolean contains(BigInteger v) {
    for (Range r : ranges) {
      if (r.first().compareTo(v) <= 0 && r.last().compareTo(v) >= 0) {
        return true;
      }
    }
    return false;
  }
}
