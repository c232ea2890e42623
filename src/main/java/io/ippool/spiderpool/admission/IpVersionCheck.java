package io.ippool.spiderpool.admission;

import io.ippool.api.FieldError;
import java.util.List;

/** validateIPPoolIPVersion / the ReservedIP twin: nil, not 4/6, or a disabled family. */
final class IpVersionCheck {
  static final String FIELD = "spec.ipVersion";

  private IpVersionCheck() {
  }

  /** @return the error, or null when {@code version} is a usable 4 or 6 */
  static FieldError check(Object version, AdmissionSettings settings, String nilDetail) {
    if (version == null) {
      return FieldError.invalid(FIELD, null, nilDetail);
    }
    if (!(version instanceof Long v) || (v != 4 && v != 6)) {
      return FieldError.notSupported(FIELD, version, List.of("4", "6"));
    }
    if (v == 4 && !settings.enableIPv4()) {
      return FieldError.forbidden(FIELD, "IPv4 is disabled");
    }
    if (v == 6 && !settings.enableIPv6()) {
      return FieldError.forbidden(FIELD, "IPv6 is disabled");
    }
    return null;
  }
}
