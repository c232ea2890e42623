package io.ippool.spiderpool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.iprange.AddressRange;
import io.ippool.iprange.Cidr;
import io.ippool.iprange.Ip;
import io.ippool.iprange.IpRangeException;
import io.ippool.iprange.IpRanges;
import io.ippool.iprange.IpSyntax;
import io.ippool.iprange.RangeSet;
import io.ippool.iprange.SubnetRanges;
import java.util.ArrayList;
import java.util.List;

/**
 * The allocator's view of SpiderIPPool and SpiderReservedIP specs: family and effective address ranges. Two
 * readings: forgiving for stored objects ({@link #poolShape}, {@link #reservationRanges}: bodies written without
 * admission still work), strict as admission checks ({@link #admittedRanges}, {@link #admittedReservedRanges}:
 * what does not pass validation yields nothing).
 */
public final class PoolSpecs {
  private PoolSpecs() {
  }

  /** A pool's allocator-relevant spec; {@code effective} is normalized (sorted, disjoint, joined), all of {@code family}. */
  public record PoolShape(int family, int prefixLength, List<AddressRange> effective) {
  }

  public static String name(ObjectNode obj) {
    return SpecReader.name(obj);
  }

  public static boolean terminating(ObjectNode obj) {
    return SpecReader.terminating(obj);
  }

  public static List<String> strings(JsonNode arr) {
    List<String> out = new ArrayList<>();
    if (arr != null && arr.isArray()) {
      arr.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  /**
   * Family from spec.ipVersion, else from spec.subnet; effective ranges = union of spec.ips minus spec.excludeIPs.
   * Forgiving where admission is strict (overlapping ips are joined, not refused) because bodies written without
   * admission (fixtures, the benchmark) reach the hook too. Throws IllegalArgumentException on text Go cannot parse
   * or an address not really of the pool's family.
   */
  public static PoolShape poolShape(ObjectNode pool) {
    JsonNode spec = pool.path("spec");
    String subnetText = spec.path("subnet").asText(null);
    Cidr subnet = Cidr.parse(subnetText);
    if (subnet == null) {
      throw new IllegalArgumentException("invalid CIDR address: " + subnetText);
    }
    int family = spec.path("ipVersion").isNumber() ? spec.path("ipVersion").asInt() : subnet.version();
    List<AddressRange> effective = RangeSet.subtract(ranges(family, strings(spec.path("ips"))),
        ranges(family, strings(spec.path("excludeIPs"))));
    // maskOnes is the prefix as written: what the CNI result carries after the address (10.6.168.133/16).
    return new PoolShape(family, subnet.maskOnes(), effective);
  }

  /** Family from spec.ipVersion, else from the first address of spec.ips (as Spiderpool's mutation does). */
  public static int reservationFamily(ObjectNode r) {
    JsonNode spec = r.path("spec");
    if (spec.path("ipVersion").isNumber()) {
      return spec.path("ipVersion").asInt();
    }
    List<String> ips = strings(spec.path("ips"));
    if (ips.isEmpty()) {
      return 4;
    }
    String first = ips.get(0);
    int dash = first.indexOf('-');
    String text = dash < 0 ? first : first.substring(0, dash);
    Ip ip = Ip.parse(text);
    if (ip == null) {
      throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
    }
    return ip.family();
  }

  /** spec.ips as normalized ranges of {@link #reservationFamily}; an entry of another family is refused. */
  public static List<AddressRange> reservationRanges(ObjectNode r) {
    return ranges(reservationFamily(r), strings(r.path("spec").path("ips")));
  }

  /**
   * Spiderpool range texts of one family, normalized. A reversed range ({@code b-a}) contributes nothing, as it
   * always has here: admission refuses it, and reading it as empty never hands out an address nobody admitted.
   * IpRanges.parseAll refuses an entry whose addresses are not really of the family (Go's To4 test), so
   * {@code ::10.6.0.1} in an IPv4 list fails rather than landing in the IPv4 number space.
   */
  private static List<AddressRange> ranges(int family, List<String> texts) {
    List<String> forward = texts.stream().filter(t -> !IpSyntax.isReversedRange(t)).toList();
    try {
      return RangeSet.normalize(IpRanges.parseAll(family, forward));
    } catch (IpRangeException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /** ips minus excludeIPs as admission reads them; empty when the pool would not pass validation. */
  public static List<AddressRange> admittedRanges(ObjectNode pool) {
    try {
      return admitted(pool).ranges();
    } catch (IpRangeException e) {
      return List.of();
    }
  }

  /** status.totalIPCount: the size of {@link #admittedRanges}, capped at Long.MAX_VALUE; 0 if invalid. */
  public static long admittedTotal(ObjectNode pool) {
    try {
      return admitted(pool).totalCapped();
    } catch (IpRangeException e) {
      return 0;
    }
  }

  private static SubnetRanges admitted(ObjectNode pool) throws IpRangeException {
    return SubnetRanges.strict(SpecReader.specText(pool, "subnet"), SpecReader.specList(pool, "ips"),
        SpecReader.specList(pool, "excludeIPs"));
  }

  /**
   * A reservation's spec.ips as admission reads them, of family spec.ipVersion; empty when the object is invalid
   * (no usable ipVersion, or an entry that fails validation).
   */
  public static List<AddressRange> admittedReservedRanges(ObjectNode reservedIp) {
    if (!(SpecReader.ipVersion(reservedIp) instanceof Long v) || (v != 4 && v != 6)) {
      return List.of();
    }
    int version = (int) (long) v;
    List<AddressRange> out = new ArrayList<>();
    for (String r : SpecReader.specList(reservedIp, "ips")) {
      AddressRange a;
      try {
        a = IpSyntax.parseIPRange(version, r);
      } catch (IpRangeException e) {
        return List.of();
      }
      // "::1.2.3.4" passes IsIPv4IPRange (it contains a '.') but is no IPv4 address: it can never collide with a
      // v4 pool address, so it is dropped rather than voiding the whole object.
      if (a.family() == version) {
        out.add(a);
      }
    }
    return RangeSet.normalize(out);
  }
}
