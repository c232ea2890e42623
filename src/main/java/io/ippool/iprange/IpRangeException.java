package io.ippool.iprange;

/**
 * A range, address or CIDR that Spiderpool would refuse. The message is the exact Go error text, because the
 * admission layer puts it verbatim into field errors that clients compare against Spiderpool's.
 */
public class IpRangeException extends Exception {
  public IpRangeException(String goMessage) {
    super(goMessage, null, false, false);
  }
}
