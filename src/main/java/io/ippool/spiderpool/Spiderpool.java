package io.ippool.spiderpool;

import io.ippool.api.ResourceKind;
import java.util.List;

/**
 * Spiderpool's names, each defined once: the API group, the two IPAM kinds the server knows by behaviour, the
 * pool finalizer and the labels its webhooks write. Every other kind of the group is known only from its CRD.
 */
public final class Spiderpool {
  private Spiderpool() {
  }

  public static final String GROUP = "spiderpool.spidernet.io";
  public static final String VERSION = "v2beta1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  /** Held by every pool until no address of it is allocated; the server removes it itself. */
  public static final String FINALIZER = GROUP;

  /** The pool's subnet as a label value, written by the mutating webhook so pools can be selected by subnet. */
  public static final String LABEL_CIDR = "ipam.spidernet.io/ippool-cidr";

  public static final ResourceKind IPPOOL = new ResourceKind(GROUP, VERSION, "SpiderIPPool", "SpiderIPPoolList",
      "spiderippools", "spiderippool", false, List.of("sp"), List.of("spiderpool"), true);
  public static final ResourceKind RESERVED_IP = new ResourceKind(GROUP, VERSION, "SpiderReservedIP",
      "SpiderReservedIPList", "spiderreservedips", "spiderreservedip", false, List.of("sr"), List.of("spiderpool"),
      false);

  /** The plural under which pools are stored (the {@code resources.resource} column). */
  public static final String POOLS = IPPOOL.plural();

  /** The CRD files of the group on the classpath, the two IPAM kinds first (discovery lists them in this order). */
  public static final List<String> CRD_FILES = List.of(IPPOOL.plural(), RESERVED_IP.plural(), "spidersubnets",
      "spidercoordinators", "spiderendpoints", "spidermultusconfigs").stream()
      .map(plural -> GROUP + "_" + plural + ".yaml").toList();
}
