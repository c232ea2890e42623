package io.ippool.api;

import java.util.List;

/**
 * Everything the server needs to know about one served kind: names for discovery and errors, scope,
 * subresources. Schema, printer columns and admission are attached by {@link KindRegistry}.
 */
public record ResourceKind(
    String group,
    String version,
    String kind,
    String listKind,
    String plural,
    String singular,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    boolean hasStatusSubresource) {

  public static final String GROUP = "spiderpool.spidernet.io";
  public static final String VERSION = "v2beta1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  public static final ResourceKind IPPOOL = new ResourceKind(GROUP, VERSION, "SpiderIPPool", "SpiderIPPoolList",
      "spiderippools", "spiderippool", false, List.of("sp"), List.of("spiderpool"), true);
  public static final ResourceKind RESERVED_IP = new ResourceKind(GROUP, VERSION, "SpiderReservedIP",
      "SpiderReservedIPList", "spiderreservedips", "spiderreservedip", false, List.of("sr"), List.of("spiderpool"),
      false);

  public String apiVersion() {
    return group + "/" + version;
  }

  /** "spiderippools.spiderpool.spidernet.io", as errors name the resource. */
  public String groupResource() {
    return plural + "." + group;
  }
}
