package io.ippool.spiderpool.admission;

import io.ippool.spiderpool.SpecReader;
import io.ippool.spiderpool.Spiderpool;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.api.ResourceKind;
import io.ippool.errors.ApiException;
import io.ippool.iprange.IpRangeException;
import io.ippool.iprange.IpSyntax;
import java.util.List;

/**
 * Spiderpool's SpiderReservedIP webhooks (pkg/reservedipmanager). Reserved IPs are global and deliberately not
 * compared with pools or with each other, as in Spiderpool.
 */
public final class ReservedIPAdmission {
  static final String KIND = "SpiderReservedIP";
  private static final String NIL_VERSION =
      "is not generated correctly, 'spec.ips' is empty or 'spec.ips[0]' may be invalid";

  private final AdmissionSettings settings;

  public ReservedIPAdmission(AdmissionSettings settings) {
    this.settings = settings;
  }

  public ReservedIPAdmission() {
    this(AdmissionSettings.defaults());
  }

  /**
   * Spiderpool's reserved-IP mutation: derive ipVersion from ips[0], merge ips when there are several. No
   * finalizer. Never fails: Spiderpool ignores its mutation errors and leaves validation to refuse the object.
   */
  public void mutate(ObjectNode rip) {
    if (SpecReader.terminating(rip)) {
      return;
    }
    List<String> ips = SpecReader.specList(rip, "ips");
    if (ips.isEmpty()) {
      return;
    }
    Object version = SpecReader.ipVersion(rip);
    if (version == null) {
      if (IpSyntax.isIPRange(4, ips.get(0))) {
        version = 4L;
      } else if (IpSyntax.isIPRange(6, ips.get(0))) {
        version = 6L;
      } else {
        return;
      }
      SpecReader.specForWrite(rip).put("ipVersion", (Long) version);
    }
    if (version instanceof Long v && (v == 4 || v == 6)) {
      try {
        IPPoolAdmission.mergeIfSeveral(rip, "ips", (int) (long) v);
      } catch (IpRangeException ignored) {
        // left unchanged; validation reports the bad entry
      }
    }
  }

  /** Spiderpool's reserved-IP validation on CREATE: ipVersion enabled, then every range of that family. */
  public void validateCreate(ObjectNode rip) {
    FieldError e = IpVersionCheck.check(SpecReader.ipVersion(rip), settings, NIL_VERSION);
    if (e == null) {
      e = ips(rip, (int) (long) (Long) SpecReader.ipVersion(rip));
    }
    if (e != null) {
      throw invalid(rip, e);
    }
  }

  /** Spiderpool's reserved-IP validation on UPDATE: as on create, except while the object terminates. */
  public void validateUpdate(ObjectNode oldRip, ObjectNode newRip) {
    if (SpecReader.terminating(newRip)) {
      if (!SpecReader.terminating(oldRip)) {
        return;
      }
      throw ApiException.forbidden(null, null, null, "cannot update a terminating ReservedIP");
    }
    Object oldVersion = SpecReader.ipVersion(oldRip);
    Object newVersion = SpecReader.ipVersion(newRip);
    if (oldVersion != null && newVersion != null && !oldVersion.equals(newVersion)) {
      throw invalid(newRip, FieldError.forbidden("spec.ipVersion", "is not changeable"));
    }
    validateCreate(newRip);
  }

  /** Only the first bad entry is reported, as in Spiderpool. */
  private static FieldError ips(ObjectNode rip, int version) {
    List<String> ips = SpecReader.specList(rip, "ips");
    for (int i = 0; i < ips.size(); i++) {
      try {
        IpSyntax.checkIPRange(version, ips.get(i));
      } catch (IpRangeException e) {
        return FieldError.invalid("spec.ips[" + i + "]", ips.get(i), e.getMessage());
      }
    }
    return null;
  }

  private static ApiException invalid(ObjectNode rip, FieldError e) {
    return ApiException.invalid(Spiderpool.GROUP, KIND, SpecReader.name(rip), List.of(e));
  }
}
