package io.ippool.store.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.iprange.AddressRange;
import io.ippool.iprange.Cidr;
import io.ippool.iprange.Ip;
import io.ippool.iprange.IpRangeException;
import io.ippool.iprange.IpRanges;
import io.ippool.iprange.RangeSet;
import io.ippool.iprange.SubnetRanges;
import java.util.ArrayList;
import java.util.List;

/** Reads what the allocator needs from stored SpiderIPPool / SpiderReservedIP bodies. */
public final class PoolSpecs {
  public static final String FINALIZER = "spiderpool.spidernet.io";

  private PoolSpecs() {
  }

  /** A pool's allocator-relevant spec; {@code effective} is normalized (sorted, disjoint, joined), all of {@code family}. */
  public record PoolShape(int family, int prefixLength, List<AddressRange> effective) {
  }

  public static String name(ObjectNode obj) {
    return obj.path("metadata").path("name").asText();
  }

  public static boolean terminating(ObjectNode obj) {
    JsonNode ts = obj.path("metadata").path("deletionTimestamp");
    return !ts.isMissingNode() && !ts.isNull();
  }

  public static List<String> strings(JsonNode arr) {
    List<String> out = new ArrayList<>();
    if (arr != null && arr.isArray()) {
      arr.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  /**
   * Family from spec.ipVersion, else from spec.subnet; effective ranges = spec.ips minus spec.excludeIPs, computed by
   * the same code admission validated the pool with, so the allocator can never disagree with it about which
   * addresses a pool holds. Throws IllegalArgumentException (with Spiderpool's message) on a spec admission refuses.
   */
  public static PoolShape poolShape(ObjectNode pool) {
    JsonNode spec = pool.path("spec");
    String subnetText = spec.path("subnet").asText(null);
    Cidr subnet = Cidr.parse(subnetText);
    if (subnet == null) {
      throw new IllegalArgumentException("invalid CIDR address: " + subnetText);
    }
    int family = spec.path("ipVersion").isNumber() ? spec.path("ipVersion").asInt() : subnet.version();
    List<AddressRange> effective;
    try {
      effective = SubnetRanges.strict(subnetText, strings(spec.path("ips")), strings(spec.path("excludeIPs")))
          .ranges();
    } catch (IpRangeException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    requireFamily(family, effective);
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

  /**
   * spec.ips as normalized ranges of {@link #reservationFamily}. Unlike admission's read-only view (which drops
   * an entry of the wrong family), a reservation the allocator cannot apply in full is refused, as before.
   */
  public static List<AddressRange> reservationRanges(ObjectNode r) {
    int family = reservationFamily(r);
    try {
      // parseAll refuses an entry whose addresses are not really of the family (Go's To4 test).
      return RangeSet.normalize(IpRanges.parseAll(family, strings(r.path("spec").path("ips"))));
    } catch (IpRangeException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /**
   * The pool's family is its declared ipVersion, its addresses' family comes from their text: a pool whose
   * addresses are not all of its family would put rows of one family under the other's number space.
   */
  private static void requireFamily(int family, List<AddressRange> ranges) {
    for (AddressRange a : ranges) {
      if (a.family() != family) {
        throw new IllegalArgumentException("IP range \"" + a.toText() + "\" is not IPv" + family);
      }
    }
  }
}
