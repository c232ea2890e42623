package io.ippool.store.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.ipam.internal.Cidr;
import io.ippool.ipam.internal.IpAddr;
import io.ippool.ipam.internal.IpRanges;
import java.util.ArrayList;
import java.util.List;

/** Reads what the allocator needs from stored SpiderIPPool / SpiderReservedIP bodies. */
public final class PoolSpecs {
  public static final String FINALIZER = "spiderpool.spidernet.io";

  private PoolSpecs() {
  }

  /** A pool's allocator-relevant spec. */
  public record PoolShape(int family, int prefixLength, IpRanges effective) {
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

  /** Family from spec.ipVersion, else from spec.subnet; effective ranges = spec.ips minus spec.excludeIPs. */
  public static PoolShape poolShape(ObjectNode pool) {
    JsonNode spec = pool.path("spec");
    Cidr subnet = Cidr.parse(spec.path("subnet").asText(null));
    int family = spec.path("ipVersion").isNumber() ? spec.path("ipVersion").asInt() : subnet.family();
    IpRanges ips = IpRanges.parse(family, strings(spec.path("ips")));
    IpRanges excluded = IpRanges.parse(family, strings(spec.path("excludeIPs")));
    return new PoolShape(family, subnet.prefix(), ips.minus(excluded));
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
    return IpAddr.parse(dash < 0 ? first : first.substring(0, dash)).family();
  }

  public static IpRanges reservationRanges(ObjectNode r) {
    return IpRanges.parse(reservationFamily(r), strings(r.path("spec").path("ips")));
  }
}
