package io.ippool.spiderpool.admission;

/**
 * The spiderpool-conf switches the webhooks read. SpiderSubnet is not served here, so the webhooks behave as
 * Spiderpool's do with enableSpiderSubnet=false (no owner subnet lookup, no inherited fields, no containment
 * check) and there is no switch for it.
 */
public record AdmissionSettings(boolean enableIPv4, boolean enableIPv6) {
  public static AdmissionSettings defaults() {
    return new AdmissionSettings(true, true);
  }
}
