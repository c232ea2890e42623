package io.ippool.ipam;

import java.util.List;

/**
 * An IPAM failure whose message is exactly what spiderpool-agent sends the CNI plugin (as a JSON string
 * with HTTP 500). Nothing was allocated when one of these is returned.
 */
public final class IpamException extends RuntimeException {
  private final List<String> pools;

  public IpamException(String message) {
    this(message, List.of());
  }

  /** A failure that concerns these SpiderIPPools (e.g. each one that was exhausted), for the metrics' pool label. */
  public IpamException(String message, List<String> pools) {
    super(message, null, false, false);
    this.pools = List.copyOf(pools);
  }

  /** The pools the failure concerns; empty when it happened before any pool was chosen. */
  public List<String> pools() {
    return pools;
  }
}
