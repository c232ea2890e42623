package io.ippool.spiderpool.admission;

import io.ippool.spiderpool.SpecReader;
import io.ippool.spiderpool.Spiderpool;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.api.ResourceKind;
import io.ippool.errors.ApiException;
import io.ippool.iprange.AddressRange;
import io.ippool.iprange.Cidr;
import io.ippool.iprange.Ip;
import io.ippool.iprange.IpRangeException;
import io.ippool.iprange.IpRanges;
import io.ippool.iprange.IpSyntax;
import io.ippool.iprange.RangeSet;
import io.ippool.iprange.SubnetRanges;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Spiderpool's SpiderIPPool webhooks (pkg/ippoolmanager ippool_mutate.go / ippool_validate.go) with the
 * SpiderSubnet feature off. Callers run {@link #mutate} first, then schema checks, then validation.
 */
public final class IPPoolAdmission {
  static final String KIND = "SpiderIPPool";
  static final String JOINTLY =
      "total IP addresses of an IPPool are jointly determined by 'spec.ips' and 'spec.excludeIPs'";

  private final AdmissionSettings settings;

  public IPPoolAdmission(AdmissionSettings settings) {
    this.settings = settings;
  }

  public IPPoolAdmission() {
    this(AdmissionSettings.defaults());
  }

  /**
   * Spiderpool's pool mutation (mutateIPPool), step by step in its order; the first failing step stops mutation
   * and leaves earlier changes in place. Failures are not reported: Spiderpool logs them and lets validation
   * reject the object.
   */
  public void mutate(ObjectNode pool) {
    if (SpecReader.terminating(pool)) {
      return;
    }
    if (!SpecReader.hasFinalizer(pool, Spiderpool.FINALIZER)) {
      ObjectNode meta = SpecReader.metadataForWrite(pool);
      ArrayNode fins = meta.get("finalizers") instanceof ArrayNode a ? a : meta.putArray("finalizers");
      fins.add(Spiderpool.FINALIZER);
    }
    String subnet = SpecReader.specText(pool, "subnet");
    Object version = SpecReader.ipVersion(pool);
    if (version == null) {
      if (Cidr.isCidrOfVersion(4, subnet)) {
        version = 4L;
      } else if (Cidr.isCidrOfVersion(6, subnet)) {
        version = 6L;
      } else {
        return;
      }
      SpecReader.specForWrite(pool).put("ipVersion", (Long) version);
    }
    if (!(version instanceof Long v) || (v != 4 && v != 6)) {
      return;
    }
    int ver = (int) (long) v;
    try {
      String label = IpRanges.cidrToLabelValue(ver, subnet);
      if (!label.equals(SpecReader.label(pool, Spiderpool.LABEL_CIDR))) {
        ObjectNode meta = SpecReader.metadataForWrite(pool);
        ObjectNode labels = meta.get("labels") instanceof ObjectNode l ? l : meta.putObject("labels");
        labels.put(Spiderpool.LABEL_CIDR, label);
      }
      mergeIfSeveral(pool, "ips", ver);
      mergeIfSeveral(pool, "excludeIPs", ver);
    } catch (IpRangeException ignored) {
      // Spiderpool's Default() logs and returns nil; validation reports the problem.
    }
  }

  /** A one-entry list is deliberately left as written, as Spiderpool does. */
  static void mergeIfSeveral(ObjectNode obj, String field, int version) throws IpRangeException {
    List<String> list = SpecReader.specList(obj, field);
    if (list.size() > 1) {
      SpecReader.setList(SpecReader.specForWrite(obj), field, IpRanges.merge(version, list));
    }
  }

  /**
   * Spiderpool's pool validation on CREATE, checks in its order. Throws 422 Invalid, or 409 AlreadyExists on a
   * name clash.
   */
  public void validateCreate(ObjectNode pool, List<ObjectNode> existingPools) {
    String name = SpecReader.name(pool);
    FieldError e = IpVersionCheck.check(SpecReader.ipVersion(pool), settings,
        "is not generated correctly, 'spec.subnet' may be invalid");
    if (e != null) {
      throw invalid(name, List.of(e));
    }
    int version = (int) (long) (Long) SpecReader.ipVersion(pool);
    e = subnet(pool, version, existingPools);
    if (e != null) {
      throw invalid(name, List.of(e));
    }
    List<FieldError> errs = new ArrayList<>();
    e = PoolSpecChecks.check(pool, version, existingPools);
    if (e != null) {
      errs.add(e);
    }
    errs.addAll(podAffinity(pool));
    if (!errs.isEmpty()) {
      throw invalid(name, errs);
    }
  }

  /**
   * Spiderpool's pool validation on UPDATE. {@code allocatedIpToPod} is the stored status.allocatedIPs: canonical IP text to "ns/name".
   * {@code existingPools} may include the stored copy of this pool; it is skipped by name.
   */
  public void validateUpdate(ObjectNode oldPool, ObjectNode newPool, List<ObjectNode> existingPools,
      Map<String, String> allocatedIpToPod) {
    if (SpecReader.terminating(newPool)) {
      if (!SpecReader.hasFinalizer(newPool, Spiderpool.FINALIZER)) {
        return; // the controller removing the finalizer
      }
      throw ApiException.forbidden(null, null, null, "cannot update a terminating IPPool");
    }
    String name = SpecReader.name(newPool);
    Object oldVersion = SpecReader.ipVersion(oldPool);
    Object newVersion = SpecReader.ipVersion(newPool);
    if (oldVersion != null && newVersion != null && !oldVersion.equals(newVersion)) {
      throw invalid(name, List.of(FieldError.forbidden("spec.ipVersion", "is not changeable")));
    }
    if (!SpecReader.specText(newPool, "subnet").equals(SpecReader.specText(oldPool, "subnet"))) {
      throw invalid(name, List.of(FieldError.forbidden("spec.subnet", "is not changeable")));
    }
    FieldError e = IpVersionCheck.check(newVersion, settings,
        "is not generated correctly, 'spec.subnet' may be invalid");
    if (e != null) {
      throw invalid(name, List.of(e));
    }
    int version = (int) (long) (Long) newVersion;
    e = PoolSpecChecks.check(newPool, version, existingPools);
    if (e != null) {
      throw invalid(name, List.of(e));
    }
    List<FieldError> affinity = podAffinity(newPool);
    if (!affinity.isEmpty()) {
      throw invalid(name, affinity);
    }
    e = ipInUse(newPool, allocatedIpToPod == null ? Map.of() : allocatedIpToPod);
    if (e != null) {
      throw invalid(name, List.of(e));
    }
  }

  /** validateIPPoolCIDR: version, canonical spelling, then subnet clashes with every pool of the same version. */
  private static FieldError subnet(ObjectNode pool, int version, List<ObjectNode> existingPools) {
    String subnet = SpecReader.specText(pool, "subnet");
    Cidr cidr;
    try {
      cidr = IpSyntax.parseCIDR(version, subnet);
    } catch (IpRangeException ex) {
      return FieldError.invalid("spec.subnet", subnet, ex.getMessage());
    }
    if (!cidr.canonical().equals(subnet)) {
      return FieldError.invalid("spec.subnet", subnet,
          "unformatted subnet " + subnet + ", please change it to " + cidr.canonical());
    }
    String name = SpecReader.name(pool);
    for (ObjectNode other : existingPools) {
      if (!Objects.equals(SpecReader.ipVersion(other), (long) version)) {
        continue;
      }
      if (SpecReader.name(other).equals(name)) {
        // Spiderpool returns an InternalError whose text contains "AlreadyExists"; its caller turns that into 409.
        throw ApiException.alreadyExists(Spiderpool.GROUP, KIND, name);
      }
      String otherSubnet = SpecReader.specText(other, "subnet");
      if (otherSubnet.equals(subnet)) {
        continue; // sharing a subnet is allowed; the address sets are compared later
      }
      Cidr otherCidr;
      try {
        otherCidr = IpSyntax.parseCIDR(version, otherSubnet);
      } catch (IpRangeException ex) {
        return FieldError.internal("spec.subnet", "failed to compare whether 'spec.subnet' overlaps: " + ex.getMessage());
      }
      if (cidr.overlaps(otherCidr)) {
        return FieldError.invalid("spec.subnet", subnet,
            "overlap with IPPool " + SpecReader.name(other) + " which 'spec.subnet' is " + otherSubnet);
      }
    }
    return null;
  }

  private static List<FieldError> podAffinity(ObjectNode pool) {
    boolean auto = SpecReader.label(pool, LabelSelectorChecks.AUTO_POOL_LABEL) != null;
    return LabelSelectorChecks.check(SpecReader.spec(pool).get("podAffinity"), auto);
  }

  /**
   * validateIPPoolIPInUse: every allocated address must stay in ips minus excludeIPs. Spiderpool walks a Go
   * map (random order); we walk keys sorted so the reported address is stable. A key that is not canonical
   * text never matches, as in Spiderpool's string lookup.
   */
  private static FieldError ipInUse(ObjectNode pool, Map<String, String> allocated) {
    if (allocated.isEmpty()) {
      return null;
    }
    List<AddressRange> total;
    try {
      total = SubnetRanges.strict(SpecReader.specText(pool, "subnet"), SpecReader.specList(pool, "ips"),
          SpecReader.specList(pool, "excludeIPs")).ranges();
    } catch (IpRangeException ex) {
      return FieldError.internal("spec.ips", "failed to assemble the total IP addresses of the IPPool "
          + SpecReader.name(pool) + ": " + ex.getMessage());
    }
    for (Map.Entry<String, String> a : new TreeMap<>(allocated).entrySet()) {
      Ip ip = Ip.parse(a.getKey());
      boolean kept = ip != null && ip.toString().equals(a.getKey()) && RangeSet.contains(total, ip);
      if (!kept) {
        return FieldError.forbidden("spec.ips", "remove an IP address " + a.getKey() + " that is being used by Pod "
            + a.getValue() + ", " + JOINTLY);
      }
    }
    return null;
  }

  private static ApiException invalid(String name, List<FieldError> errs) {
    return ApiException.invalid(Spiderpool.GROUP, KIND, name, errs);
  }
}
