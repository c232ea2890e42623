package io.ippool.spiderpool;

import com.fasterxml.jackson.databind.JsonNode;
import io.ippool.api.Json;
import io.ippool.api.LabelSelectorMatch;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Spiderpool's pool selection (getPoolCandidates, precheck, filter, sort): which pools, in which order, each
 * (NIC, IP version) of a request may take an address from. Pure: the caller supplies the pod's metadata and,
 * when {@link #candidates} answers {@link NeedsCatalog}, the catalog of pools.
 */
public final class PoolSelection {
  public static final String ANNO_IPPOOL = "ipam.spidernet.io/ippool";
  public static final String ANNO_IPPOOLS = "ipam.spidernet.io/ippools";
  public static final String ANNO_NS_V4 = "ipam.spidernet.io/default-ipv4-ippool";
  public static final String ANNO_NS_V6 = "ipam.spidernet.io/default-ipv6-ippool";
  static final String ANNO_SUBNET = "ipam.spidernet.io/subnet";
  static final String ANNO_SUBNETS = "ipam.spidernet.io/subnets";
  public static final String ANNO_ROUTES = "ipam.spidernet.io/routes";
  static final String ANNO_MULTUS_DEFAULT = "v1.multus-cni.io/default-network";
  static final String ANNO_MULTUS_NETWORKS = "k8s.v1.cni.cncf.io/networks";
  private static final ObjectMapper JSON = Json.MAPPER;

  private PoolSelection() {
  }

  /** One (NIC, IP version) to allocate, with its candidate pool names in rule order. */
  public record Candidate(String nic, int family, List<String> pools, boolean cleanGateway) {
  }

  /**
   * What the selection rules read of one CNI ADD.
   *
   * @param defaultIPv4Pools the CNI configuration's default pools (default_ipv4_ippool)
   * @param podAnnotations   the pod's annotations
   * @param nsAnnotations    its namespace's annotations
   */
  public record Request(String ifName, boolean cleanGateway, List<String> defaultIPv4Pools,
                        List<String> defaultIPv6Pools, Map<String, String> podAnnotations,
                        Map<String, String> nsAnnotations) {
  }

  /** The agent settings that shape selection: families enabled, and where unqualified multus names live. */
  public record Settings(boolean enableIPv4, boolean enableIPv6, String agentNamespace,
                         String multusClusterNetwork) {
  }

  /** Everything about the pod the filters look at. */
  public record PodFacts(String namespace, Map<String, String> podLabels, Map<String, String> podAnnotations,
                         String nodeName, Map<String, String> nsLabels, Map<String, String> nodeLabels) {
  }

  /** The answer of {@link #candidates}: the candidates, or that the rule which applies needs the pool catalog. */
  public sealed interface Selection permits Chosen, NeedsCatalog {
  }

  /** The candidates in rule order; empty when every family they named is disabled or matched no pool. */
  public record Chosen(List<Candidate> candidates) implements Selection {
  }

  /** The rule that applies reads the catalog (cluster default pools, wildcards): ask again with it. */
  public record NeedsCatalog() implements Selection {
  }

  private static final NeedsCatalog NEEDS_CATALOG = new NeedsCatalog();

  /**
   * getPoolCandidates: the first rule that applies wins. {@code catalog} may be null; then a request whose rule
   * needs it gets {@link NeedsCatalog}, nothing else. A request Spiderpool refuses throws
   * {@link InvalidPoolSelection} with Spiderpool's text.
   */
  public static Selection candidates(Request req, List<PoolCatalogEntry> catalog, Settings cfg) {
    Map<String, String> anno = req.podAnnotations();
    List<Candidate> out = new ArrayList<>();
    if (anno.containsKey(ANNO_SUBNETS) || anno.containsKey(ANNO_SUBNET)) {
      throw new InvalidPoolSelection("it's invalid to use 'ipam.spidernet.io/subnets' or 'ipam.spidernet.io/subnet' "
          + "annotation when Auto-Pool feature is disabled");
    }
    if (anno.containsKey(ANNO_IPPOOLS)) {
      JsonNode arr = parse(ANNO_IPPOOLS, anno.get(ANNO_IPPOOLS));
      if (!arr.isArray() || arr.isEmpty()) {
        throw new InvalidPoolSelection("wrong input, invalid format of Pod annotation '" + ANNO_IPPOOLS
            + "': value requires at least one item");
      }
      int named = 0;
      for (JsonNode item : arr) {
        if (!item.path("interface").asText("").isEmpty()) {
          named++;
        }
      }
      if (named != 0 && named != arr.size()) {
        throw new InvalidPoolSelection("wrong input, invalid format of Pod annotation '" + ANNO_IPPOOLS
            + "': NIC should be either all specified or all unspecified");
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < arr.size(); i++) {
        JsonNode item = arr.get(i);
        String nic = named == 0 ? String.valueOf(i) : item.path("interface").asText();
        if (!seen.add(nic)) {
          throw new InvalidPoolSelection("wrong input, invalid format of Pod annotation '" + ANNO_IPPOOLS
              + "': duplicate interface " + nic);
        }
        boolean clean = item.path("cleangateway").asBoolean(false);
        if (!addBoth(out, nic, PoolSpecs.strings(item.path("ipv4")), PoolSpecs.strings(item.path("ipv6")), clean,
            catalog, cfg)) {
          return NEEDS_CATALOG;
        }
      }
      if (named > 0 && !seen.contains(req.ifName())) {
        throw new InvalidPoolSelection("wrong input, invalid format of Pod annotation '" + ANNO_IPPOOLS
            + "': interface " + req.ifName() + " must be specified");
      }
      return new Chosen(List.copyOf(out));
    }
    if (anno.containsKey(ANNO_IPPOOL)) {
      JsonNode v = parse(ANNO_IPPOOL, anno.get(ANNO_IPPOOL));
      boolean clean = v.has("cleangateway") ? v.path("cleangateway").asBoolean(false) : req.cleanGateway();
      return addBoth(out, req.ifName(), PoolSpecs.strings(v.path("ipv4")), PoolSpecs.strings(v.path("ipv6")),
          clean, catalog, cfg) ? new Chosen(List.copyOf(out)) : NEEDS_CATALOG;
    }
    List<String> ns4 = nsList(req.nsAnnotations(), ANNO_NS_V4);
    List<String> ns6 = nsList(req.nsAnnotations(), ANNO_NS_V6);
    if (!ns4.isEmpty() || !ns6.isEmpty()) {
      return addBoth(out, req.ifName(), ns4, ns6, req.cleanGateway(), catalog, cfg)
          ? new Chosen(List.copyOf(out)) : NEEDS_CATALOG;
    }
    if (!req.defaultIPv4Pools().isEmpty() || !req.defaultIPv6Pools().isEmpty()) {
      return addBoth(out, req.ifName(), req.defaultIPv4Pools(), req.defaultIPv6Pools(), req.cleanGateway(),
          catalog, cfg) ? new Chosen(List.copyOf(out)) : NEEDS_CATALOG;
    }
    if (catalog == null) {
      return NEEDS_CATALOG;
    }
    List<String> d4 = catalog.stream().filter(p -> p.isDefault() && p.family() == 4).map(PoolCatalogEntry::name).toList();
    List<String> d6 = catalog.stream().filter(p -> p.isDefault() && p.family() == 6).map(PoolCatalogEntry::name).toList();
    if (d4.isEmpty() && d6.isEmpty()) {
      throw new InvalidPoolSelection(IpamMessages.NO_RULES);
    }
    add(out, req.ifName(), 4, d4, req.cleanGateway(), cfg);
    add(out, req.ifName(), 6, d6, req.cleanGateway(), cfg);
    return new Chosen(List.copyOf(out));
  }

  /** Adds the NIC's IPv4 then IPv6 candidates; false (nothing added) when a wildcard needs the missing catalog. */
  private static boolean addBoth(List<Candidate> out, String nic, List<String> v4, List<String> v6, boolean clean,
                                 List<PoolCatalogEntry> catalog, Settings cfg) {
    List<String> pools4 = expand(v4, 4, catalog);
    if (pools4 == null) {
      return false;
    }
    add(out, nic, 4, pools4, clean, cfg);
    List<String> pools6 = expand(v6, 6, catalog);
    if (pools6 == null) {
      return false;
    }
    add(out, nic, 6, pools6, clean, cfg);
    return true;
  }

  private static void add(List<Candidate> out, String nic, int family, List<String> pools, boolean clean,
                          Settings cfg) {
    // filterPoolMisspecified: a family without pools, or a disabled family, is dropped silently.
    if (pools.isEmpty() || (family == 4 && !cfg.enableIPv4()) || (family == 6 && !cfg.enableIPv6())) {
      return;
    }
    Set<String> seen = new HashSet<>();
    for (String p : pools) {
      if (!seen.add(p)) {
        throw new InvalidPoolSelection("wrong input, duplicate IPPool " + p + " specified for NIC " + nic);
      }
    }
    out.add(new Candidate(nic, family, List.copyOf(pools), clean));
  }

  private static JsonNode parse(String key, String value) {
    try {
      return JSON.readTree(value);
    } catch (Exception e) {
      throw new InvalidPoolSelection("wrong input, invalid format of Pod annotation '" + key + "': " + e.getMessage());
    }
  }

  private static List<String> nsList(Map<String, String> nsAnnotations, String key) {
    String v = nsAnnotations.get(key);
    if (v == null || v.isBlank()) {
      return List.of();
    }
    try {
      return PoolSpecs.strings(JSON.readTree(v));
    } catch (Exception e) {
      throw new InvalidPoolSelection("wrong input, invalid format of Namespace annotation '" + key + "': "
          + e.getMessage());
    }
  }

  /**
   * Replaces wildcard entries by every pool of the family whose name matches (Go filepath.Match), in name order.
   * Names are not deduplicated: a pool named twice, literally or through a pattern, is refused later as Spiderpool
   * refuses it. Null when a name is a pattern and there is no catalog to match it against.
   */
  static List<String> expand(List<String> names, int family, List<PoolCatalogEntry> catalog) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (n.indexOf('*') < 0 && n.indexOf('?') < 0 && n.indexOf('[') < 0) {
        out.add(n);
        continue;
      }
      if (catalog == null) {
        return null;
      }
      List<String> ofFamily = catalog.stream().filter(c -> c.family() == family).map(PoolCatalogEntry::name).toList();
      if (ofFamily.isEmpty()) {
        // Spiderpool finds a pattern bad only while matching it against a pool name.
        continue;
      }
      Pattern p = glob(n, family, ofFamily.get(0));
      for (String name : ofFamily) {
        if (p.matcher(name).matches()) {
          out.add(name);
        }
      }
    }
    return List.copyOf(out);
  }

  /** @param firstPool the pool name Spiderpool's error names: the first one the pattern was matched against */
  private static Pattern glob(String pattern, int family, String firstPool) {
    StringBuilder re = new StringBuilder();
    int i = 0;
    try {
      while (i < pattern.length()) {
        char c = pattern.charAt(i);
        switch (c) {
          case '*' -> re.append("[^/]*");
          case '?' -> re.append("[^/]");
          case '\\' -> {
            i++;
            re.append(Pattern.quote(String.valueOf(pattern.charAt(i))));
          }
          case '[' -> {
            int end = pattern.indexOf(']', i + 2);
            if (end < 0) {
              throw new IllegalArgumentException();
            }
            String cls = pattern.substring(i + 1, end);
            if (cls.startsWith("^")) {
              cls = "^" + cls.substring(1).replace("\\", "\\\\").replace("[", "\\[");
            } else {
              cls = cls.replace("\\", "\\\\").replace("[", "\\[");
            }
            re.append('[').append(cls).append(']');
            i = end;
          }
          default -> re.append(Pattern.quote(String.valueOf(c)));
        }
        i++;
      }
      return Pattern.compile(re.toString());
    } catch (RuntimeException e) {
      throw new InvalidPoolSelection("failed to match wildcard: IPv" + family + " PoolName pattern '" + pattern
          + "', character '" + firstPool + "', error: syntax error in pattern");
    }
  }

  // ---- filter and sort ----

  /** filterPoolCandidates + selectByPod: null when the pool may serve, else why not. */
  public static String rejection(ObjectNode pool, Candidate c, PodFacts ctx, Settings cfg) {
    String name = PoolSpecs.name(pool);
    JsonNode spec = pool.path("spec");
    if (PoolSpecs.terminating(pool)) {
      return "terminating IPPool " + name;
    }
    if (spec.path("disable").asBoolean(false)) {
      return "disabled IPPool " + name;
    }
    int version;
    try {
      version = PoolSpecs.poolShape(pool).family();
    } catch (RuntimeException e) {
      return "nil ippool ipVersion";
    }
    if (version != c.family()) {
      return "expect an IPv" + c.family() + " IPPool, but the version of the IPPool " + name + " is IPv" + version;
    }
    List<String> nodeNames = PoolSpecs.strings(spec.path("nodeName"));
    if (!nodeNames.isEmpty()) {
      if (ctx.nodeName() == null || !nodeNames.contains(ctx.nodeName())) {
        return "unmatched Node name of IPPool " + name;
      }
    } else if (LabelSelectors.isSet(spec.get("nodeAffinity"))
        && !LabelSelectorMatch.matches(spec.get("nodeAffinity"), ctx.nodeLabels())) {
      return "unmatched Node affinity of IPPool " + name;
    }
    List<String> nsNames = PoolSpecs.strings(spec.path("namespaceName"));
    if (!nsNames.isEmpty()) {
      if (!nsNames.contains(ctx.namespace())) {
        return "unmatched Namespace name of IPPool " + name;
      }
    } else if (LabelSelectors.isSet(spec.get("namespaceAffinity"))
        && !LabelSelectorMatch.matches(spec.get("namespaceAffinity"), ctx.nsLabels())) {
      return "unmatched Namespace affinity of IPPool " + name;
    }
    if (LabelSelectors.isSet(spec.get("podAffinity"))
        && !LabelSelectorMatch.matches(spec.get("podAffinity"), ctx.podLabels())) {
      return "unmatched Pod affinity of IPPool " + name;
    }
    List<String> multus = PoolSpecs.strings(spec.path("multusName"));
    if (!multus.isEmpty()) {
      String net = multusNetwork(c.nic(), ctx, cfg);
      List<String> qualified = multus.stream()
          .map(m -> m.contains("/") ? m : cfg.agentNamespace() + "/" + m).toList();
      if (net == null) {
        return "cluster-network multus isn't set, the IPPool " + name + " specified multusName "
            + IpamMessages.goList(multus) + " unmatched";
      }
      if (!qualified.contains(net)) {
        return "the spec.multusName " + IpamMessages.goList(multus) + " in the IPPool " + name + " used by the Pod interface "
            + c.nic() + " is not matched with the multusCR " + net + " specified by the Pod";
      }
    }
    return null;
  }

  /** The net-attach-def (ns/name) the pod attaches on this NIC, or null when unknown. */
  private static String multusNetwork(String nic, PodFacts ctx, Settings cfg) {
    Map<String, String> anno = ctx.podAnnotations();
    if (nic.equals("eth0") || nic.equals("0")) {
      String net = anno.getOrDefault(ANNO_MULTUS_DEFAULT, cfg.multusClusterNetwork());
      if (net == null || net.isBlank()) {
        return null;
      }
      return net.contains("/") ? net : cfg.agentNamespace() + "/" + net;
    }
    String nets = anno.get(ANNO_MULTUS_NETWORKS);
    if (nets == null || nets.isBlank()) {
      return null;
    }
    List<String[]> entries = new ArrayList<>(); // {ns/name, interface}
    String trimmed = nets.trim();
    if (trimmed.startsWith("[")) {
      try {
        JsonNode arr = JSON.readTree(trimmed);
        for (JsonNode e : arr) {
          String ns = e.path("namespace").asText(ctx.namespace());
          entries.add(new String[] {ns + "/" + e.path("name").asText(), e.path("interface").asText("")});
        }
      } catch (Exception e) {
        return null;
      }
    } else {
      for (String part : trimmed.split(",")) {
        String p = part.trim();
        String iface = "";
        int at = p.indexOf('@');
        if (at >= 0) {
          iface = p.substring(at + 1);
          p = p.substring(0, at);
        }
        entries.add(new String[] {p.contains("/") ? p : ctx.namespace() + "/" + p, iface});
      }
    }
    boolean noName = nic.chars().allMatch(Character::isDigit);
    for (int i = 0; i < entries.size(); i++) {
      String iface = entries.get(i)[1].isEmpty() ? "net" + (i + 1) : entries.get(i)[1];
      if (noName ? String.valueOf(i + 1).equals(nic) : iface.equals(nic)) {
        return entries.get(i)[0];
      }
    }
    return null;
  }

  /** ByPoolPriority as a score; ties keep the written order (a stable sort), unlike Spiderpool's random order. */
  public static int score(ObjectNode pool) {
    JsonNode s = pool.path("spec");
    int score = 0;
    score += LabelSelectors.isSet(s.get("podAffinity")) ? 32 : 0;
    score += PoolSpecs.strings(s.path("nodeName")).isEmpty() ? 0 : 16;
    score += LabelSelectors.isSet(s.get("nodeAffinity")) ? 8 : 0;
    score += PoolSpecs.strings(s.path("namespaceName")).isEmpty() ? 0 : 4;
    score += LabelSelectors.isSet(s.get("namespaceAffinity")) ? 2 : 0;
    score += PoolSpecs.strings(s.path("multusName")).isEmpty() ? 0 : 1;
    return score;
  }

  public static List<ObjectNode> sorted(List<ObjectNode> pools) {
    List<ObjectNode> out = new ArrayList<>(pools);
    out.sort(Comparator.comparingInt(PoolSelection::score).reversed());
    return out;
  }
}
