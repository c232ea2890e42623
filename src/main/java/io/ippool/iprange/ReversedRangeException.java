package io.ippool.iprange;

/**
 * A range written high-to-low ({@code 10.6.0.10-10.6.0.1}). Spiderpool's NewCIDR swaps the ends and accepts it,
 * leaving a pool that can never allocate (its allocator skips reversed ranges, and every later update of the pool
 * fails); {@link SubnetRanges#strict} refuses it instead and says
 * where, so admission can point at {@code spec.ips[i]} or {@code spec.excludeIPs[i]}.
 */
public class ReversedRangeException extends IpRangeException {
  private final boolean inExclude;
  private final int index;
  private final String raw;

  public ReversedRangeException(int version, boolean inExclude, int index, String raw) {
    super("invalid IP range format in IPv" + version + " '" + raw + "'");
    this.inExclude = inExclude;
    this.index = index;
    this.raw = raw;
  }

  /** True when the entry is in excludeIPs, false when in ips. */
  public boolean inExclude() {
    return inExclude;
  }

  public int index() {
    return index;
  }

  public String raw() {
    return raw;
  }
}
