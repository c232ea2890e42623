package io.ippool.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.iprange.AddressRange;
import io.ippool.iprange.IpRangeException;
import io.ippool.iprange.IpSyntax;
import io.ippool.iprange.RangeSet;
import java.util.ArrayList;
import java.util.List;

/** The allocator's view of a SpiderReservedIP: the addresses it keeps out of every pool of its version. */
public final class ReservedAddresses {
  private ReservedAddresses() {
  }

  /**
   * spec.ips as sorted disjoint intervals of family spec.ipVersion; empty when the object is invalid (no usable
   * ipVersion, or an entry that fails validation).
   */
  public static List<AddressRange> ranges(ObjectNode reservedIp) {
    if (!(Obj.ipVersion(reservedIp) instanceof Long v) || (v != 4 && v != 6)) {
      return List.of();
    }
    int version = (int) (long) v;
    List<AddressRange> out = new ArrayList<>();
    for (String r : Obj.specList(reservedIp, "ips")) {
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
