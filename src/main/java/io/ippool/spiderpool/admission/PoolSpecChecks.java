package io.ippool.spiderpool.admission;

import io.ippool.spiderpool.Spiderpool;
import io.ippool.spiderpool.SpecReader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.iprange.AddressRange;
import io.ippool.iprange.Cidr;
import io.ippool.iprange.Ip;
import io.ippool.iprange.IpRangeException;
import io.ippool.iprange.IpRanges;
import io.ippool.iprange.IpSyntax;
import io.ippool.iprange.ReversedRangeException;
import io.ippool.iprange.SubnetRanges;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Spiderpool's validateIPPoolSpec: available IPs (syntax, subnet membership, overlap with pools sharing the
 * subnet), then gateway, then routes. Like Spiderpool it reports only the first problem.
 */
final class PoolSpecChecks {
  private PoolSpecChecks() {
  }

  static FieldError check(ObjectNode pool, int version, List<ObjectNode> existingPools) {
    FieldError e = availableIPs(pool, version, existingPools);
    if (e == null) {
      e = gateway(pool, version);
    }
    if (e == null) {
      e = routes(pool, version);
    }
    return e;
  }

  private static FieldError availableIPs(ObjectNode pool, int version, List<ObjectNode> existingPools) {
    String name = SpecReader.name(pool);
    String subnet = SpecReader.specText(pool, "subnet");
    SubnetRanges mine;
    try {
      mine = SubnetRanges.strict(subnet, SpecReader.specList(pool, "ips"), SpecReader.specList(pool, "excludeIPs"));
    } catch (ReversedRangeException e) {
      // Deliberate tightening: Spiderpool's NewCIDR swaps a reversed range and accepts it, but the
      // allocator then skips it forever and later updates fail. We refuse it where it is written.
      String field = (e.inExclude() ? "spec.excludeIPs[" : "spec.ips[") + e.index() + "]";
      return FieldError.invalid(field, e.raw(), e.getMessage());
    } catch (IpRangeException e) {
      return FieldError.invalid("spec.subnet", subnet, e.getMessage());
    }
    String label;
    try {
      label = IpRanges.cidrToLabelValue(version, subnet);
    } catch (IpRangeException e) {
      return FieldError.internal("spec.ips",
          "failed to parse CIDR " + subnet + " as a valid label value: " + e.getMessage());
    }
    for (ObjectNode other : existingPools) {
      // Spiderpool finds pools sharing the subnet by this label, not by spec.subnet: a pool stored without the
      // label is invisible to its overlap check.
      if (!label.equals(SpecReader.label(other, Spiderpool.LABEL_CIDR)) || Objects.equals(SpecReader.name(other), name)) {
        continue;
      }
      String otherSubnet = SpecReader.specText(other, "subnet");
      SubnetRanges theirs;
      try {
        // Stored pools are read exactly as Spiderpool would, reversed ranges included.
        theirs = SubnetRanges.of(otherSubnet, SpecReader.specList(other, "ips"), SpecReader.specList(other, "excludeIPs"));
      } catch (IpRangeException e) {
        return FieldError.invalid("spec.subnet", otherSubnet, e.getMessage());
      }
      List<String> overlap = mine.overlappingRaws(theirs);
      if (!overlap.isEmpty()) {
        return FieldError.forbidden("spec.ips", "overlap with IPPool " + SpecReader.name(other) + " in IP ranges ["
            + String.join(" ", overlap) + "], " + IPPoolAdmission.JOINTLY);
      }
    }
    return null;
  }

  private static FieldError gateway(ObjectNode pool, int version) {
    String gw = SpecReader.specOptionalText(pool, "gateway");
    if (gw == null) {
      return null;
    }
    FieldError e = containsIP("spec.gateway", version, SpecReader.specText(pool, "subnet"), gw);
    if (e != null) {
      return e;
    }
    for (String r : SpecReader.specList(pool, "excludeIPs")) {
      if (rangeContainsIP(version, r, gw)) {
        return null;
      }
    }
    List<String> ips = SpecReader.specList(pool, "ips");
    for (int i = 0; i < ips.size(); i++) {
      if (rangeContainsIP(version, ips.get(i), gw)) {
        return FieldError.invalid("spec.ips[" + i + "]", ips.get(i), "conflicts with 'spec.gateway' " + gw
            + ", add the gateway IP address to 'spec.excludeIPs' or remove it from 'spec.ips'");
      }
    }
    return null;
  }

  private static FieldError routes(ObjectNode pool, int version) {
    JsonNode routes = SpecReader.spec(pool).path("routes");
    if (!routes.isArray()) {
      return null;
    }
    String subnet = SpecReader.specText(pool, "subnet");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < routes.size(); i++) {
      String dst = SpecReader.text(routes.get(i).path("dst"));
      String gw = SpecReader.text(routes.get(i).path("gw"));
      String dstField = "spec.routes[" + i + "].dst";
      if ((version == 4 && dst.equals("0.0.0.0/0")) || (version == 6 && dst.equals("::/0"))) {
        return FieldError.invalid(dstField, dst, "please specify 'spec.gateway' to configure the default route");
      }
      if (!seen.add(dst)) {
        return FieldError.invalid(dstField, dst, "duplicate route with the same dst");
      }
      try {
        IpSyntax.checkCIDR(version, dst);
      } catch (IpRangeException e) {
        return FieldError.invalid(dstField, dst, e.getMessage());
      }
      FieldError e = containsIP("spec.routes[" + i + "].gw", version, subnet, gw);
      if (e != null) {
        return e;
      }
    }
    return null;
  }

  /** Spiderpool ValidateContainsIP. */
  private static FieldError containsIP(String field, int version, String subnet, String ip) {
    Cidr net;
    try {
      net = IpSyntax.parseCIDR(version, subnet);
      IpSyntax.checkIP(version, ip);
    } catch (IpRangeException e) {
      return FieldError.invalid(field, ip, e.getMessage());
    }
    if (!net.contains(Ip.parse(ip))) {
      return FieldError.invalid(field, ip, "not pertains to the 'spec.subnet' " + subnet + " of IPPool");
    }
    return null;
  }

  /** Spiderpool IPRangeContainsIP: a one-address range matches by string equality, a two-ended one by value. */
  static boolean rangeContainsIP(int version, String range, String ip) {
    if (!IpSyntax.isIPRange(version, range) || !IpSyntax.isIP(version, ip)) {
      return false;
    }
    if (range.indexOf('-') < 0) {
      return range.equals(ip);
    }
    try {
      AddressRange r = IpSyntax.parseIPRange(version, range);
      return r.contains(Ip.parse(ip));
    } catch (IpRangeException e) {
      return false;
    }
  }
}
