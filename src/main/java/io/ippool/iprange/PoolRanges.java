package io.ippool.iprange;

import java.util.List;

/** What the allocator needs from a pool's spec: the addresses it may hand out, as intervals. */
public final class PoolRanges {
  private PoolRanges() {
  }

  /**
   * {@code ips} minus {@code excludeIPs} inside {@code subnet}: sorted, disjoint, adjacent ranges joined.
   * Applies the same checks as pool validation (including the refusal of reversed ranges).
   */
  public static List<AddressRange> effectiveRanges(String subnet, List<String> ips, List<String> excludeIPs)
      throws IpRangeException {
    return SubnetRanges.strict(subnet, ips, excludeIPs).ranges();
  }

  /** status.totalIPCount: the size of {@link #effectiveRanges}, capped at Long.MAX_VALUE. */
  public static long totalIPCount(String subnet, List<String> ips, List<String> excludeIPs)
      throws IpRangeException {
    return SubnetRanges.strict(subnet, ips, excludeIPs).totalCapped();
  }
}
