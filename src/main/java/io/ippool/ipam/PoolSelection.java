package io.ippool.ipam;

import io.ippool.spiderpool.PoolCatalogEntry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.spiderpool.PoolSpecs;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Spiderpool's pool selection (getPoolCandidates, precheck, filter, sort): which pools, in which order, each
 * (NIC, IP version) of a request may take an address from.
 */
final class PoolSelection {
  static final String ANNO_IPPOOL = "ipam.spidernet.io/ippool";
  static final String ANNO_IPPOOLS = "ipam.spidernet.io/ippools";
  static final String ANNO_NS_V4 = "ipam.spidernet.io/default-ipv4-ippool";
  static final String ANNO_NS_V6 = "ipam.spidernet.io/default-ipv6-ippool";
  static final String ANNO_SUBNET = "ipam.spidernet.io/subnet";
  static final String ANNO_SUBNETS = "ipam.spidernet.io/subnets";
  static final String ANNO_ROUTES = "ipam.spidernet.io/routes";
  static final String ANNO_MULTUS_DEFAULT = "v1.multus-cni.io/default-network";
  static final String ANNO_MULTUS_NETWORKS = "k8s.v1.cni.cncf.io/networks";
  private static final ObjectMapper JSON = new ObjectMapper();

  private PoolSelection() {
  }

  /** One (NIC, IP version) to allocate, with its candidate pool names in rule order. */
  record Candidate(String nic, int family, List<String> pools, boolean cleanGateway) {
  }

  /** Thrown by {@link #candidates} when called without a catalog but the request needs one. */
  static final class NeedCatalog extends RuntimeException {
    NeedCatalog() {
      super(null, null, false, false);
    }
  }

  /**
   * getPoolCandidates: the first rule that applies wins. {@code catalog} may be null; then requests that need
   * it (cluster default pools, wildcards) throw {@link NeedCatalog} and the caller retries with it.
   */
  static List<Candidate> candidates(IpamModels.AddArgs args, KubeMetadata.Pod pod, KubeMetadata.Meta ns,
                                    List<PoolCatalogEntry> catalog, AllocatorConfig cfg) {
    Map<String, String> anno = pod.annotations();
    List<Candidate> out = new ArrayList<>();
    if (anno.containsKey(ANNO_SUBNETS) || anno.containsKey(ANNO_SUBNET)) {
      throw new IpamException("it's invalid to use 'ipam.spidernet.io/subnets' or 'ipam.spidernet.io/subnet' "
          + "annotation when Auto-Pool feature is disabled");
    }
    if (anno.containsKey(ANNO_IPPOOLS)) {
      JsonNode arr = parse(ANNO_IPPOOLS, anno.get(ANNO_IPPOOLS));
      if (!arr.isArray() || arr.isEmpty()) {
        throw new IpamException("wrong input, invalid format of Pod annotation '" + ANNO_IPPOOLS
            + "': value requires at least one item");
      }
      int named = 0;
      for (JsonNode item : arr) {
        if (!item.path("interface").asText("").isEmpty()) {
          named++;
        }
      }
      if (named != 0 && named != arr.size()) {
        throw new IpamException("wrong input, invalid format of Pod annotation '" + ANNO_IPPOOLS
            + "': NIC should be either all specified or all unspecified");
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < arr.size(); i++) {
        JsonNode item = arr.get(i);
        String nic = named == 0 ? String.valueOf(i) : item.path("interface").asText();
        if (!seen.add(nic)) {
          throw new IpamException("wrong input, invalid format of Pod annotation '" + ANNO_IPPOOLS
              + "': duplicate interface " + nic);
        }
        boolean clean = item.path("cleangateway").asBoolean(false);
        add(out, nic, 4, expand(PoolSpecs.strings(item.path("ipv4")), 4, catalog), clean, cfg);
        add(out, nic, 6, expand(PoolSpecs.strings(item.path("ipv6")), 6, catalog), clean, cfg);
      }
      if (named > 0 && !seen.contains(args.ifName())) {
        throw new IpamException("wrong input, invalid format of Pod annotation '" + ANNO_IPPOOLS
            + "': interface " + args.ifName() + " must be specified");
      }
      return out;
    }
    if (anno.containsKey(ANNO_IPPOOL)) {
      JsonNode v = parse(ANNO_IPPOOL, anno.get(ANNO_IPPOOL));
      boolean clean = v.has("cleangateway") ? v.path("cleangateway").asBoolean(false) : args.cleanGateway();
      add(out, args.ifName(), 4, expand(PoolSpecs.strings(v.path("ipv4")), 4, catalog), clean, cfg);
      add(out, args.ifName(), 6, expand(PoolSpecs.strings(v.path("ipv6")), 6, catalog), clean, cfg);
      return out;
    }
    List<String> ns4 = nsList(ns, ANNO_NS_V4);
    List<String> ns6 = nsList(ns, ANNO_NS_V6);
    if (!ns4.isEmpty() || !ns6.isEmpty()) {
      add(out, args.ifName(), 4, expand(ns4, 4, catalog), args.cleanGateway(), cfg);
      add(out, args.ifName(), 6, expand(ns6, 6, catalog), args.cleanGateway(), cfg);
      return out;
    }
    if (!args.defaultIPv4IPPool().isEmpty() || !args.defaultIPv6IPPool().isEmpty()) {
      add(out, args.ifName(), 4, expand(args.defaultIPv4IPPool(), 4, catalog), args.cleanGateway(), cfg);
      add(out, args.ifName(), 6, expand(args.defaultIPv6IPPool(), 6, catalog), args.cleanGateway(), cfg);
      return out;
    }
    if (catalog == null) {
      throw new NeedCatalog();
    }
    List<String> d4 = catalog.stream().filter(p -> p.isDefault() && p.family() == 4).map(PoolCatalogEntry::name).toList();
    List<String> d6 = catalog.stream().filter(p -> p.isDefault() && p.family() == 6).map(PoolCatalogEntry::name).toList();
    if (d4.isEmpty() && d6.isEmpty()) {
      throw new IpamException("no IPPool available, no pool selection rules of any type are specified");
    }
    add(out, args.ifName(), 4, d4, args.cleanGateway(), cfg);
    add(out, args.ifName(), 6, d6, args.cleanGateway(), cfg);
    return out;
  }

  private static void add(List<Candidate> out, String nic, int family, List<String> pools, boolean clean,
                          AllocatorConfig cfg) {
    // filterPoolMisspecified: a family without pools, or a disabled family, is dropped silently.
    if (pools.isEmpty() || (family == 4 && !cfg.enableIPv4()) || (family == 6 && !cfg.enableIPv6())) {
      return;
    }
    Set<String> seen = new HashSet<>();
    for (String p : pools) {
      if (!seen.add(p)) {
        throw new IpamException("wrong input, duplicate IPPool " + p + " specified for NIC " + nic);
      }
    }
    out.add(new Candidate(nic, family, List.copyOf(pools), clean));
  }

  private static JsonNode parse(String key, String value) {
    try {
      return JSON.readTree(value);
    } catch (Exception e) {
      throw new IpamException("wrong input, invalid format of Pod annotation '" + key + "': " + e.getMessage());
    }
  }

  private static List<String> nsList(KubeMetadata.Meta ns, String key) {
    String v = ns.annotations().get(key);
    if (v == null || v.isBlank()) {
      return List.of();
    }
    try {
      return PoolSpecs.strings(JSON.readTree(v));
    } catch (Exception e) {
      throw new IpamException("wrong input, invalid format of Namespace annotation '" + key + "': "
          + e.getMessage());
    }
  }

  /**
   * Replaces wildcard entries by every pool of the family whose name matches (Go filepath.Match), in name order.
   * Names are not deduplicated: a pool named twice, literally or through a pattern, is refused later as Spiderpool
   * refuses it.
   */
  static List<String> expand(List<String> names, int family, List<PoolCatalogEntry> catalog) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (n.indexOf('*') < 0 && n.indexOf('?') < 0 && n.indexOf('[') < 0) {
        out.add(n);
        continue;
      }
      if (catalog == null) {
        throw new NeedCatalog();
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
      throw new IpamException("failed to match wildcard: IPv" + family + " PoolName pattern '" + pattern
          + "', character '" + firstPool + "', error: syntax error in pattern");
    }
  }

  // ---- filter and sort ----

  /** Everything about the pod the filters look at. */
  record PodContext(String namespace, String name, KubeMetadata.Pod pod, KubeMetadata.Meta ns,
                    Map<String, String> nodeLabels) {
  }

  /** filterPoolCandidates + selectByPod: null when the pool may serve, else why not. */
  static String rejection(ObjectNode pool, Candidate c, PodContext ctx, AllocatorConfig cfg) {
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
      if (ctx.pod().nodeName() == null || !nodeNames.contains(ctx.pod().nodeName())) {
        return "unmatched Node name of IPPool " + name;
      }
    } else if (LabelSelectors.isSet(spec.get("nodeAffinity"))
        && !LabelSelectors.matches(spec.get("nodeAffinity"), ctx.nodeLabels())) {
      return "unmatched Node affinity of IPPool " + name;
    }
    List<String> nsNames = PoolSpecs.strings(spec.path("namespaceName"));
    if (!nsNames.isEmpty()) {
      if (!nsNames.contains(ctx.namespace())) {
        return "unmatched Namespace name of IPPool " + name;
      }
    } else if (LabelSelectors.isSet(spec.get("namespaceAffinity"))
        && !LabelSelectors.matches(spec.get("namespaceAffinity"), ctx.ns().labels())) {
      return "unmatched Namespace affinity of IPPool " + name;
    }
    if (LabelSelectors.isSet(spec.get("podAffinity"))
        && !LabelSelectors.matches(spec.get("podAffinity"), ctx.pod().labels())) {
      return "unmatched Pod affinity of IPPool " + name;
    }
    List<String> multus = PoolSpecs.strings(spec.path("multusName"));
    if (!multus.isEmpty()) {
      String net = multusNetwork(c.nic(), ctx, cfg);
      List<String> qualified = multus.stream()
          .map(m -> m.contains("/") ? m : cfg.agentNamespace() + "/" + m).toList();
      if (net == null) {
        return "cluster-network multus isn't set, the IPPool " + name + " specified multusName "
            + goList(multus) + " unmatched";
      }
      if (!qualified.contains(net)) {
        return "the spec.multusName " + goList(multus) + " in the IPPool " + name + " used by the Pod interface "
            + c.nic() + " is not matched with the multusCR " + net + " specified by the Pod";
      }
    }
    return null;
  }

  /** The net-attach-def (ns/name) the pod attaches on this NIC, or null when unknown. */
  private static String multusNetwork(String nic, PodContext ctx, AllocatorConfig cfg) {
    Map<String, String> anno = ctx.pod().annotations();
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
  static int score(ObjectNode pool) {
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

  static List<ObjectNode> sorted(List<ObjectNode> pools) {
    List<ObjectNode> out = new ArrayList<>(pools);
    out.sort(Comparator.comparingInt(PoolSelection::score).reversed());
    return out;
  }

  /** Go's fmt %v of a []string: [a b c]. */
  static String goList(List<String> items) {
    return "[" + String.join(" ", items) + "]";
  }

  /** k8s utilerrors.NewAggregate(...).Error(), deduplicated: one message bare, several as [a, b]. */
  static String aggregate(List<String> errors) {
    List<String> uniq = List.copyOf(new LinkedHashSet<>(errors));
    return uniq.size() == 1 ? uniq.get(0) : "[" + String.join(", ", uniq) + "]";
  }
}
