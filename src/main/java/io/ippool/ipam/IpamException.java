package io.ippool.ipam;

/**
 * An IPAM failure whose message is exactly what spiderpool-agent sends the CNI plugin (as a JSON string
 * with HTTP 500). Nothing was allocated when one of these is returned.
 */
public final class IpamException extends RuntimeException {
  public IpamException(String message) {
    super(message, null, false, false);
  }
}
