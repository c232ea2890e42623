package io.ippool.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.iprange.AddressRange;
import io.ippool.iprange.IpRangeException;
import io.ippool.iprange.SubnetRanges;
import java.util.List;

/** The allocator's view of a pool: what it may hand out, as sorted disjoint intervals. */
public final class PoolAddresses {
  private PoolAddresses() {
  }

  /** ips minus excludeIPs; empty when the pool would not pass validation (so nothing is handed out from it). */
  public static List<AddressRange> effectiveRanges(ObjectNode pool) {
    try {
      return SubnetRanges.strict(Obj.specText(pool, "subnet"), Obj.specList(pool, "ips"),
          Obj.specList(pool, "excludeIPs")).ranges();
    } catch (IpRangeException e) {
      return List.of();
    }
  }

  /**
   * status.totalIPCount as Spiderpool's controller keeps it: size of {@link #effectiveRanges}, capped at
   * Long.MAX_VALUE (a large IPv6 pool reports 9223372036854775807); 0 if invalid.
   */
  public static long totalIPCount(ObjectNode pool) {
    try {
      return SubnetRanges.strict(Obj.specText(pool, "subnet"), Obj.specList(pool, "ips"),
          Obj.specList(pool, "excludeIPs")).totalCapped();
    } catch (IpRangeException e) {
      return 0;
    }
  }
}
