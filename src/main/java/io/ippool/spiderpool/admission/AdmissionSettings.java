package io.ippool.spiderpool.admission;

/**
 * The spiderpool-conf switches the webhooks read. SpiderSubnet is not served here, so its checks are always off
 * (spec b.5 recommendation) and there is no switch for it.
 */
public record AdmissionSettings(boolean enableIPv4, boolean enableIPv6) {
  public static AdmissionSettings defaults() {
    return new AdmissionSettings(true, true);
  }
}
