package io.ippool.spiderpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.spiderpool.PoolSelection.Candidate;
import io.ippool.spiderpool.PoolSelection.PodFacts;
import io.ippool.spiderpool.PoolSelection.Settings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Spiderpool's pool selection without a database: which rule picks the pools (pod annotations, namespace
 * annotations, CNI configuration, cluster defaults), wildcard expansion, the filters with their exact reasons,
 * and the priority order. Everything the tests build goes through the helpers below, so the test follows the
 * class wherever it lives.
 */
class PoolSelectionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Settings CFG = new Settings(true, true, "kube-system", null);
  private static final List<PoolCatalogEntry> CATALOG = List.of(
      new PoolCatalogEntry("default-v4", 4, true), new PoolCatalogEntry("default-v6", 6, true),
      new PoolCatalogEntry("spare-a", 4, false), new PoolCatalogEntry("spare-b", 4, false),
      new PoolCatalogEntry("spare-c6", 6, false), new PoolCatalogEntry("web", 4, false));

  // ---- helpers: the only places that name the surrounding types ----

  /** What the CNI request itself says: the interface, its configured default pools and cleanGateway. */
  private record Args(String ifName, List<String> v4, List<String> v6, boolean cleanGateway) {
  }

  private static Args args(String ifName, List<String> v4, List<String> v6, boolean cleanGateway) {
    return new Args(ifName, v4, v6, cleanGateway);
  }

  private static Args args() {
    return args("eth0", List.of(), List.of(), false);
  }

  private static PoolSelection.Selection selection(Args args, Map<String, String> podAnnotations,
                                                   Map<String, String> nsAnnotations, List<PoolCatalogEntry> catalog,
                                                   Settings cfg) {
    return PoolSelection.candidates(new PoolSelection.Request(args.ifName(), args.cleanGateway(), args.v4(),
        args.v6(), podAnnotations, nsAnnotations), catalog, cfg);
  }

  private static List<Candidate> candidates(Args args, Map<String, String> podAnnotations,
                                            Map<String, String> nsAnnotations, List<PoolCatalogEntry> catalog,
                                            Settings cfg) {
    PoolSelection.Selection s = selection(args, podAnnotations, nsAnnotations, catalog, cfg);
    return assertInstanceOf(PoolSelection.Chosen.class, s, "with a catalog the selection is complete").candidates();
  }

  private static List<Candidate> candidates(Map<String, String> podAnnotations) {
    return candidates(args(), podAnnotations, Map.of(), CATALOG, CFG);
  }

  private static String refusal(Map<String, String> podAnnotations) {
    return assertThrows(InvalidPoolSelection.class, () -> candidates(podAnnotations)).getMessage();
  }

  private static ObjectNode pool(String name, String spec) {
    try {
      ObjectNode p = JSON.createObjectNode();
      p.putObject("metadata").put("name", name);
      p.set("spec", JSON.readTree(spec));
      return p;
    } catch (Exception e) {
      throw new IllegalArgumentException(spec, e);
    }
  }

  private static PodFacts context(Map<String, String> podLabels, Map<String, String> podAnnotations,
                                  String nodeName, Map<String, String> nsLabels, Map<String, String> nodeLabels) {
    return new PodFacts("ns1", podLabels, podAnnotations, nodeName, nsLabels, nodeLabels);
  }

  private static PodFacts plainContext() {
    return context(Map.of(), Map.of(), "node1", Map.of(), Map.of());
  }

  private static Candidate v4(String nic) {
    return new Candidate(nic, 4, List.of("p"), false);
  }

  // ---- which rule applies ----

  @Test
  void multiNicAnnotationWithoutNamesNumbersTheNics() {
    assertEquals(List.of(new Candidate("0", 4, List.of("a"), false), new Candidate("0", 6, List.of("a6"), false),
            new Candidate("1", 4, List.of("b"), true)),
        candidates(Map.of("ipam.spidernet.io/ippools",
            "[{\"ipv4\":[\"a\"],\"ipv6\":[\"a6\"]},{\"ipv4\":[\"b\"],\"cleangateway\":true}]")));
  }

  @Test
  void multiNicAnnotationWithNamesCoversEveryNicInOneRequest() {
    assertEquals(List.of(new Candidate("eth0", 4, List.of("a"), false), new Candidate("net1", 4, List.of("b"), false)),
        candidates(Map.of("ipam.spidernet.io/ippools",
            "[{\"interface\":\"eth0\",\"ipv4\":[\"a\"]},{\"interface\":\"net1\",\"ipv4\":[\"b\"]}]")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      []                                                        | value requires at least one item
      {}                                                        | value requires at least one item
      [{"interface":"eth0","ipv4":["a"]},{"ipv4":["b"]}]         | NIC should be either all specified or all unspecified
      [{"interface":"eth0","ipv4":["a"]},{"interface":"eth0","ipv4":["b"]}] | duplicate interface eth0
      [{"interface":"net1","ipv4":["a"]}]                        | interface eth0 must be specified
      """)
  void multiNicAnnotationRefusals(String annotation, String why) {
    assertEquals("wrong input, invalid format of Pod annotation 'ipam.spidernet.io/ippools': " + why,
        refusal(Map.of("ipam.spidernet.io/ippools", annotation)));
  }

  @Test
  void unparsableAnnotationsNameTheAnnotation() {
    assertEquals(true, refusal(Map.of("ipam.spidernet.io/ippool", "{not json"))
        .startsWith("wrong input, invalid format of Pod annotation 'ipam.spidernet.io/ippool': "));
    InvalidPoolSelection e = assertThrows(InvalidPoolSelection.class, () -> candidates(args(), Map.of(),
        Map.of("ipam.spidernet.io/default-ipv4-ippool", "[oops"), CATALOG, CFG));
    assertEquals(true, e.getMessage().startsWith(
        "wrong input, invalid format of Namespace annotation 'ipam.spidernet.io/default-ipv4-ippool': "));
  }

  @Test
  void singleNicAnnotationIsForTheRequestedNic() {
    assertEquals(List.of(new Candidate("net1", 4, List.of("a", "b"), false),
            new Candidate("net1", 6, List.of("c"), false)),
        candidates(args("net1", List.of(), List.of(), false),
            Map.of("ipam.spidernet.io/ippool", "{\"ipv4\":[\"a\",\"b\"],\"ipv6\":[\"c\"]}"), Map.of(), CATALOG, CFG));
  }

  @Test
  void cleanGatewayComesFromTheAnnotationWhenItSaysSo() {
    Args clean = args("eth0", List.of(), List.of(), true);
    assertEquals(List.of(new Candidate("eth0", 4, List.of("a"), true)),
        candidates(clean, Map.of("ipam.spidernet.io/ippool", "{\"ipv4\":[\"a\"]}"), Map.of(), CATALOG, CFG));
    assertEquals(List.of(new Candidate("eth0", 4, List.of("a"), false)), candidates(clean,
        Map.of("ipam.spidernet.io/ippool", "{\"ipv4\":[\"a\"],\"cleangateway\":false}"), Map.of(), CATALOG, CFG));
  }

  @Test
  void theFirstRuleThatAppliesWins() {
    Map<String, String> nsDefaults = Map.of("ipam.spidernet.io/default-ipv4-ippool", "[\"ns-a\"]");
    Args cniDefaults = args("eth0", List.of("cni-a"), List.of(), false);
    assertEquals(List.of(new Candidate("eth0", 4, List.of("pod-a"), false)), candidates(cniDefaults,
        Map.of("ipam.spidernet.io/ippool", "{\"ipv4\":[\"pod-a\"]}"), nsDefaults, CATALOG, CFG));
    assertEquals(List.of(new Candidate("eth0", 4, List.of("ns-a"), false)),
        candidates(cniDefaults, Map.of(), nsDefaults, CATALOG, CFG));
    assertEquals(List.of(new Candidate("eth0", 4, List.of("cni-a"), false)),
        candidates(cniDefaults, Map.of(), Map.of("ipam.spidernet.io/default-ipv4-ippool", ""), CATALOG, CFG));
    assertEquals(List.of(new Candidate("eth0", 4, List.of("default-v4"), false),
            new Candidate("eth0", 6, List.of("default-v6"), false)),
        candidates(args(), Map.of(), Map.of(), CATALOG, CFG));
  }

  @Test
  void clusterDefaultsNeedTheCatalog() {
    assertInstanceOf(PoolSelection.NeedsCatalog.class, selection(args(), Map.of(), Map.of(), null, CFG));
    assertEquals("no IPPool available, no pool selection rules of any type are specified",
        assertThrows(InvalidPoolSelection.class, () -> candidates(args(), Map.of(), Map.of(),
            List.of(new PoolCatalogEntry("x", 4, false)), CFG)).getMessage());
  }

  @Test
  void subnetAnnotationsAreRefusedWithoutAutoPools() {
    assertEquals("it's invalid to use 'ipam.spidernet.io/subnets' or 'ipam.spidernet.io/subnet' annotation when "
        + "Auto-Pool feature is disabled", refusal(Map.of("ipam.spidernet.io/subnet", "{\"ipv4\":[\"s\"]}")));
  }

  @Test
  void aDisabledFamilyIsDroppedSilently() {
    Settings v4Only = new Settings(true, false, "kube-system", null);
    assertEquals(List.of(new Candidate("eth0", 4, List.of("a"), false)), candidates(args(),
        Map.of("ipam.spidernet.io/ippool", "{\"ipv4\":[\"a\"],\"ipv6\":[\"b\"]}"), Map.of(), CATALOG, v4Only));
  }

  @Test
  void aPoolNamedTwiceForOneNicIsRefused() {
    assertEquals("wrong input, duplicate IPPool a specified for NIC eth0",
        refusal(Map.of("ipam.spidernet.io/ippool", "{\"ipv4\":[\"a\",\"a\"]}")));
    assertEquals("wrong input, duplicate IPPool spare-a specified for NIC eth0",
        refusal(Map.of("ipam.spidernet.io/ippool", "{\"ipv4\":[\"spare-*\",\"spare-a\"]}")));
    assertEquals("wrong input, duplicate IPPool b specified for NIC 1", refusal(Map.of("ipam.spidernet.io/ippools",
        "[{\"ipv4\":[\"a\"]},{\"ipv4\":[\"b\",\"b\"]}]")));
  }

  // ---- wildcards ----

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      ["spare-*"]              | spare-a spare-b
      ["web","spare-?"]        | web spare-a spare-b
      ["spare-[ab]"]           | spare-a spare-b
      ["spare-[^a]"]           | spare-b
      ["*"]                    | default-v4 spare-a spare-b web
      ["nothing-*","web"]      | web
      """)
  void wildcardsExpandToPoolsOfTheFamilyInNameOrder(String names, String expected) {
    Candidate c = candidates(Map.of("ipam.spidernet.io/ippool", "{\"ipv4\":" + names + "}")).get(0);
    assertEquals(List.of(expected.split(" ")), c.pools());
  }

  @Test
  void wildcardsNeedTheCatalog() {
    assertInstanceOf(PoolSelection.NeedsCatalog.class, selection(args(),
        Map.of("ipam.spidernet.io/ippool", "{\"ipv4\":[\"sp*\"]}"), Map.of(), null, CFG));
    assertEquals(List.of(new Candidate("eth0", 4, List.of("a"), false)), candidates(args(),
        Map.of("ipam.spidernet.io/ippool", "{\"ipv4\":[\"a\"]}"), Map.of(), null, CFG),
        "names without a pattern are chosen without the catalog");
  }

  @Test
  void aBadPatternIsReportedAgainstThePoolItWasMatchedWith() {
    assertEquals("failed to match wildcard: IPv4 PoolName pattern 'spare-[a', character 'default-v4', error: "
        + "syntax error in pattern", refusal(Map.of("ipam.spidernet.io/ippool", "{\"ipv4\":[\"spare-[a\"]}")));
  }

  @Test
  void aBadPatternWithNoPoolOfItsFamilyMatchesNothing() {
    // Spiderpool only finds the pattern bad while matching it against a pool name.
    List<PoolCatalogEntry> v6Only = List.of(new PoolCatalogEntry("v6", 6, false));
    assertEquals(List.of(), candidates(args(), Map.of("ipam.spidernet.io/ippool", "{\"ipv4\":[\"spare-[a\"]}"),
        Map.of(), v6Only, CFG));
  }

  // ---- filters ----

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      disabled              | {"subnet":"10.0.0.0/24","disable":true}                           | disabled IPPool p
      other family          | {"subnet":"fd00::/64"}                                           | expect an IPv4 IPPool, but the version of the IPPool p is IPv6
      no family             | {}                                                               | nil ippool ipVersion
      node name             | {"subnet":"10.0.0.0/24","nodeName":["node2"]}                     | unmatched Node name of IPPool p
      node affinity         | {"subnet":"10.0.0.0/24","nodeAffinity":{"matchLabels":{"zone":"b"}}} | unmatched Node affinity of IPPool p
      namespace name        | {"subnet":"10.0.0.0/24","namespaceName":["ns2"]}                  | unmatched Namespace name of IPPool p
      namespace affinity    | {"subnet":"10.0.0.0/24","namespaceAffinity":{"matchLabels":{"team":"x"}}} | unmatched Namespace affinity of IPPool p
      pod affinity          | {"subnet":"10.0.0.0/24","podAffinity":{"matchLabels":{"app":"db"}}} | unmatched Pod affinity of IPPool p
      multus, none set      | {"subnet":"10.0.0.0/24","multusName":["macvlan"]}                 | cluster-network multus isn't set, the IPPool p specified multusName [macvlan] unmatched
      """)
  void filterReasons(String name, String spec, String reason) {
    assertEquals(reason, PoolSelection.rejection(pool("p", spec), v4("eth0"), plainContext(), CFG));
  }

  @Test
  void aTerminatingPoolIsFilteredFirst() {
    ObjectNode p = pool("p", "{\"subnet\":\"10.0.0.0/24\",\"disable\":true}");
    ((ObjectNode) p.get("metadata")).put("deletionTimestamp", "2026-01-01T00:00:00Z");
    assertEquals("terminating IPPool p", PoolSelection.rejection(p, v4("eth0"), plainContext(), CFG));
  }

  @Test
  void matchingSelectorsLetThePoolServe() {
    ObjectNode p = pool("p", """
        {"subnet":"10.0.0.0/24","ipVersion":4,"nodeAffinity":{"matchLabels":{"zone":"a"}},
         "namespaceAffinity":{"matchExpressions":[{"key":"team","operator":"In","values":["net","ops"]}]},
         "podAffinity":{"matchLabels":{"app":"web"}}}""");
    PodFacts ctx = context(Map.of("app", "web"), Map.of(), "node1", Map.of("team", "ops"), Map.of("zone", "a"));
    assertNull(PoolSelection.rejection(p, v4("eth0"), ctx, CFG));
  }

  @Test
  void nodeNameWinsOverNodeAffinity() {
    ObjectNode p = pool("p", "{\"subnet\":\"10.0.0.0/24\",\"nodeName\":[\"node1\"],"
        + "\"nodeAffinity\":{\"matchLabels\":{\"zone\":\"nowhere\"}}}");
    assertNull(PoolSelection.rejection(p, v4("eth0"), plainContext(), CFG));
  }

  @Test
  void multusNamesAreMatchedPerNic() {
    ObjectNode p = pool("p", "{\"subnet\":\"10.0.0.0/24\",\"multusName\":[\"kube-system/macvlan\"]}");
    PodFacts defaultNet = context(Map.of(), Map.of("v1.multus-cni.io/default-network", "macvlan"), "node1",
        Map.of(), Map.of());
    assertNull(PoolSelection.rejection(p, v4("eth0"), defaultNet, CFG), "an unqualified name is the agent's namespace");
    assertNull(PoolSelection.rejection(p, v4("eth0"), plainContext(), new Settings(true, true, "kube-system", "macvlan")));

    PodFacts secondary = context(Map.of(), Map.of("k8s.v1.cni.cncf.io/networks", "kube-system/macvlan@net1, ipvlan"),
        "node1", Map.of(), Map.of());
    assertNull(PoolSelection.rejection(p, v4("net1"), secondary, CFG));
    assertEquals("the spec.multusName [kube-system/macvlan] in the IPPool p used by the Pod interface net2 is not "
        + "matched with the multusCR ns1/ipvlan specified by the Pod",
        PoolSelection.rejection(p, v4("net2"), secondary, CFG), "an interface-less entry is net<index+1>");
    assertNull(PoolSelection.rejection(p, v4("1"), secondary, CFG), "unnamed NICs match by index");

    PodFacts json = context(Map.of(), Map.of("k8s.v1.cni.cncf.io/networks",
        "[{\"name\":\"macvlan\",\"namespace\":\"kube-system\",\"interface\":\"eth9\"}]"), "node1", Map.of(), Map.of());
    assertNull(PoolSelection.rejection(p, v4("eth9"), json, CFG));
  }

  // ---- order ----

  @Test
  void podAffinityOutranksNodeNameAndNamespaceName() {
    ObjectNode both = pool("both", "{\"nodeName\":[\"n\"],\"namespaceName\":[\"ns\"]}");
    ObjectNode affinity = pool("affinity", "{\"podAffinity\":{}}");
    ObjectNode plain = pool("plain", "{}");
    ObjectNode multus = pool("multus", "{\"multusName\":[\"m\"]}");
    assertEquals(List.of("affinity", "both", "multus", "plain"), PoolSelection.sorted(List.of(plain, both, multus,
        affinity)).stream().map(o -> o.path("metadata").path("name").asText()).toList());
    assertEquals(32, PoolSelection.score(affinity));
    assertEquals(20, PoolSelection.score(both));
  }

  @Test
  void equalScoresKeepTheWrittenOrder() {
    ObjectNode b = pool("b", "{}");
    ObjectNode a = pool("a", "{}");
    assertEquals(List.of(b, a), PoolSelection.sorted(List.of(b, a)));
  }

  @Test
  void messagesPrintListsAsGoDoes() {
    assertEquals("[a b]", IpamMessages.goList(List.of("a", "b")));
    assertEquals("x", IpamMessages.aggregate(List.of("x", "x")));
    assertEquals("[x, y]", IpamMessages.aggregate(List.of("x", "y", "x")));
  }
}
