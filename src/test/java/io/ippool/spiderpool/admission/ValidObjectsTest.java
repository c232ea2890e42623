package io.ippool.spiderpool.admission;

import io.ippool.spiderpool.PoolSpecs;
import io.ippool.spiderpool.SpecReader;
import static io.ippool.spiderpool.admission.AdmissionCase.object;
import static io.ippool.spiderpool.admission.AdmissionCase.pool;
import static io.ippool.spiderpool.admission.AdmissionCase.rip;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.iprange.AddressRange;
import io.ippool.iprange.Ip;
import io.ippool.iprange.RangeSet;
import java.math.BigInteger;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Objects that pass, and what mutation made of them. */
class ValidObjectsTest {
  private final IPPoolAdmission pools = new IPPoolAdmission();
  private final ReservedIPAdmission reserved = new ReservedIPAdmission();

  private static List<String> texts(JsonNode n) {
    return SpecReader.texts(n);
  }

  @Test
  void reservedIpGuidePoolIsValidAndMutated() {
    ObjectNode p = object("SpiderIPPool", "test-ippool", "", "{subnet: 10.6.0.0/16, ips: [10.6.168.131-10.6.168.133]}");
    pools.mutate(p);
    assertDoesNotThrow(() -> pools.validateCreate(p, List.of()));
    assertEquals(4, p.path("spec").path("ipVersion").asInt());
    assertEquals("10-6-0-0-16", p.path("metadata").path("labels").path("ipam.spidernet.io/ippool-cidr").asText());
    assertEquals(List.of("spiderpool.spidernet.io"), texts(p.path("metadata").path("finalizers")));
    assertEquals(List.of("10.6.168.131-10.6.168.133"), texts(p.path("spec").path("ips")));
    assertEquals(3, PoolSpecs.admittedTotal(p));
  }

  @Test
  void reservedIpGuideObjectIsValidAndMutated() {
    ObjectNode r = object("SpiderReservedIP", "test-ipv4-reservedip", "", "{ips: [10.6.168.131-10.6.168.132]}");
    reserved.mutate(r);
    assertDoesNotThrow(() -> reserved.validateCreate(r));
    assertEquals(4, r.path("spec").path("ipVersion").asInt());
    assertTrue(r.path("metadata").path("finalizers").isMissingNode(), "ReservedIPs get no finalizer");
    List<AddressRange> ranges = PoolSpecs.admittedReservedRanges(r);
    assertEquals(List.of("10.6.168.131-10.6.168.132"), RangeSet.toTexts(ranges));
  }

  @Test
  void mutationMergesSortsAndCanonicalizes() {
    ObjectNode p = object("SpiderIPPool", "p", "", "{subnet: 'abcd:1234::/120', "
        + "ips: ['ABCD:1234::10', 'abcd:1234::1-abcd:1234::f', 'abcd:1234:0::40'], "
        + "excludeIPs: ['abcd:1234::3', 'abcd:1234::2']}");
    pools.mutate(p);
    assertDoesNotThrow(() -> pools.validateCreate(p, List.of()));
    assertEquals(6, p.path("spec").path("ipVersion").asInt());
    assertEquals("abcd-1234---120", p.path("metadata").path("labels").path("ipam.spidernet.io/ippool-cidr").asText());
    assertEquals(List.of("abcd:1234::1-abcd:1234::10", "abcd:1234::40"), texts(p.path("spec").path("ips")));
    assertEquals(List.of("abcd:1234::2-abcd:1234::3"), texts(p.path("spec").path("excludeIPs")));
    assertEquals(List.of("abcd:1234::1", "abcd:1234::4-abcd:1234::10", "abcd:1234::40"),
        RangeSet.toTexts(PoolSpecs.admittedRanges(p)));
  }

  @Test
  void overlappingEntriesAreMergedBeforeValidation() {
    ObjectNode p = object("SpiderIPPool", "p", "", "{subnet: 10.6.0.0/16, "
        + "ips: [10.6.0.10-10.6.0.20, 10.6.0.1-10.6.0.10, 10.6.0.21, 10.6.1.1]}");
    pools.mutate(p);
    assertDoesNotThrow(() -> pools.validateCreate(p, List.of()));
    assertEquals(List.of("10.6.0.1-10.6.0.21", "10.6.1.1"), texts(p.path("spec").path("ips")));
  }

  @Test
  void aOneEntryListIsNeverNormalized() {
    ObjectNode p = object("SpiderIPPool", "p", "", "{subnet: 'fd00::/64', ips: ['FD00::1-fd00:0::1']}");
    pools.mutate(p);
    assertDoesNotThrow(() -> pools.validateCreate(p, List.of()));
    assertEquals(List.of("FD00::1-fd00:0::1"), texts(p.path("spec").path("ips")));
    assertEquals(List.of("fd00::1"), RangeSet.toTexts(PoolSpecs.admittedRanges(p)));
  }

  @Test
  void mutationKeepsExistingLabelsAndFinalizersAndRepairsAWrongCidrLabel() {
    ObjectNode p = object("SpiderIPPool", "p", "labels: {a: b, ipam.spidernet.io/ippool-cidr: wrong}, "
        + "finalizers: [spiderpool.spidernet.io, other]", "{subnet: 10.6.0.0/16}");
    pools.mutate(p);
    assertEquals("b", p.path("metadata").path("labels").path("a").asText());
    assertEquals("10-6-0-0-16", p.path("metadata").path("labels").path("ipam.spidernet.io/ippool-cidr").asText());
    assertEquals(List.of("spiderpool.spidernet.io", "other"), texts(p.path("metadata").path("finalizers")));
  }

  @Test
  void terminatingObjectsAreNotMutated() {
    ObjectNode p = object("SpiderIPPool", "p", "deletionTimestamp: '2026-01-01T00:00:00Z'",
        "{subnet: 10.6.0.0/16, ips: [10.6.0.2, 10.6.0.1]}");
    ObjectNode before = p.deepCopy();
    pools.mutate(p);
    assertEquals(before, p);
  }

  @Test
  void failedMergeLeavesTheListAsWrittenAndStopsMutation() {
    ObjectNode p = object("SpiderIPPool", "p", "", "{subnet: 10.6.0.0/16, ips: [10.6.0.2, 10.6.0.9-10.6.0.3], "
        + "excludeIPs: [10.6.0.5, 10.6.0.4]}");
    pools.mutate(p);
    assertEquals(List.of("10.6.0.2", "10.6.0.9-10.6.0.3"), texts(p.path("spec").path("ips")));
    assertEquals(List.of("10.6.0.5", "10.6.0.4"), texts(p.path("spec").path("excludeIPs")), "step 7 not reached");
    assertEquals(List.of(), PoolSpecs.admittedRanges(p), "invalid pool: nothing to allocate");
  }

  @Test
  void largeIpv6PoolCountIsCapped() {
    ObjectNode p = object("SpiderIPPool", "big", "", "{subnet: 'fd00::/64', ips: ['fd00::-fd00::ffff:ffff:ffff:ffff']}");
    pools.mutate(p);
    assertDoesNotThrow(() -> pools.validateCreate(p, List.of()));
    assertEquals(Long.MAX_VALUE, PoolSpecs.admittedTotal(p));
    List<AddressRange> r = PoolSpecs.admittedRanges(p);
    assertEquals(new BigInteger("18446744073709551616"), RangeSet.count(r));
  }

  @Test
  void hugeIpv6PoolsGoThroughTheWholePipelineWithoutExpansion() {
    long t0 = System.nanoTime();
    String spec = "{subnet: 'fd00::/64', ips: ['fd00::8000:0:0:0-fd00::ffff:ffff:ffff:ffff', "
        + "'fd00::1-fd00::7fff:ffff:ffff:ffff'], excludeIPs: ['fd00::ffff:ffff:ffff:ffff', 'fd00::1']}";
    ObjectNode old = object("SpiderIPPool", "big", "", spec);
    pools.mutate(old);
    assertEquals(List.of("fd00::1-fd00::ffff:ffff:ffff:ffff"), texts(old.path("spec").path("ips")));
    ObjectNode neighbour = object("SpiderIPPool", "n", "", "{subnet: 'fd00::/64', ips: ['fd00::']}");
    pools.mutate(neighbour);
    assertDoesNotThrow(() -> pools.validateCreate(old, List.of(neighbour)));
    ObjectNode updated = old.deepCopy();
    pools.mutate(updated);
    assertDoesNotThrow(() -> pools.validateUpdate(old, updated, List.of(neighbour, old),
        java.util.Map.of("fd00::2", "ns/a", "fd00::ffff:ffff:ffff:fffe", "ns/b")));
    assertEquals(new BigInteger("18446744073709551613"), RangeSet.count(PoolSpecs.admittedRanges(updated)));
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(millis < 500, "took " + millis + "ms");
  }

  @Test
  void reservedIpsAreMergedAndFamilyFiltered() {
    ObjectNode r = object("SpiderReservedIP", "r", "", "{ips: [10.6.0.3, 10.6.0.1-10.6.0.2, '::ffff:10.6.0.9']}");
    reserved.mutate(r);
    assertDoesNotThrow(() -> reserved.validateCreate(r));
    assertEquals(List.of("10.6.0.1-10.6.0.3", "10.6.0.9"), texts(r.path("spec").path("ips")));
    ObjectNode odd = object("SpiderReservedIP", "odd", "", "{ipVersion: 4, ips: ['::10.6.0.1']}");
    assertDoesNotThrow(() -> reserved.validateCreate(odd), "passes Spiderpool's textual IPv4 test");
    assertEquals(List.of(), PoolSpecs.admittedReservedRanges(odd), "but is no IPv4 address");
    ObjectNode empty = object("SpiderReservedIP", "e", "", "{ipVersion: 6}");
    assertDoesNotThrow(() -> reserved.validateCreate(empty), "empty ips allowed with an explicit ipVersion");
    assertEquals(List.of(), PoolSpecs.admittedReservedRanges(object("SpiderReservedIP", "x", "", "{ips: [10.6.0.1]}")),
        "no ipVersion: not usable");
  }

  static Stream<AdmissionCase> accepted() {
    String pool = "{ipVersion: 4, subnet: 10.6.0.0/16, ips: [10.6.0.1-10.6.0.10]}";
    return Stream.of(
        pool("pool without ips", "{subnet: 10.6.0.0/16}"),
        pool("same subnet, disjoint addresses", pool).existing("other|{subnet: 10.6.0.0/16, ips: [10.6.0.11-10.6.0.20]}"),
        pool("same subnet, overlap removed by excludeIPs", "{subnet: 10.6.0.0/16, ips: [10.6.0.1-10.6.0.20], "
            + "excludeIPs: [10.6.0.11-10.6.0.20]}").existing("other|{subnet: 10.6.0.0/16, ips: [10.6.0.11-10.6.0.20]}"),
        pool("disjoint subnets", pool).existing("other|{subnet: 10.7.0.0/16}"),
        pool("other family with the same name is not a clash", pool).existing("p|{subnet: 'fd00::/64'}"),
        pool("gateway excluded from ips", "{subnet: 10.6.0.0/16, gateway: 10.6.0.1, ips: [10.6.0.1-10.6.0.10], "
            + "excludeIPs: [10.6.0.1]}"),
        pool("gateway outside ips", "{subnet: 10.6.0.0/16, gateway: 10.6.0.254, ips: [10.6.0.1-10.6.0.10]}"),
        pool("routes inside subnet, dst not canonical", "{subnet: 10.6.0.0/16, routes: [{dst: 10.7.1.5/16, gw: 10.6.0.1}]}"),
        pool("several default pools", "{subnet: 10.6.0.0/16, default: true}").existing("d|{subnet: 10.7.0.0/16, default: true}"),
        pool("valid podAffinity", "{subnet: 10.6.0.0/16, podAffinity: {matchLabels: {app: web}, "
            + "matchExpressions: [{key: tier, operator: Exists}]}}"),
        pool("auto-created pool with only app labels", "{subnet: 10.6.0.0/16, podAffinity: {matchLabels: "
            + "{ipam.spidernet.io/app-name: web}}}").meta("labels: {ipam.spidernet.io/owner-application-name: web}"),
        pool("update keeping addresses in use", "{subnet: 10.6.0.0/16, ips: [10.6.0.1-10.6.0.20]}").updateFrom(pool)
            .allocated("10.6.0.5", "default/pod-1"),
        pool("update to empty ips with nothing in use", "{subnet: 10.6.0.0/16, ips: []}").updateFrom(pool),
        pool("update with ipVersion null is re-derived by mutation", "{ipVersion: null, subnet: 10.6.0.0/16}")
            .updateFrom(pool),
        pool("update skips the pool's own stored copy in the overlap check", pool).updateFrom(pool),
        pool("finalizer removal on a terminating pool", pool).updateFrom(pool)
            .meta("deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: []"),
        pool("reserved-IP-sized IPv6 pool", "{subnet: 'fd00::/64', ips: ['fd00::-fd00::ffff:ffff:ffff:ffff'], "
            + "gateway: 'fd00::1', excludeIPs: ['fd00::1']}"),
        rip("reservedIP IPv6", "{ips: ['fd00::1-fd00::2', 'fd00::10']}"),
        rip("reservedIP explicit version, no ips", "{ipVersion: 4}"),
        rip("reservedIP starting to terminate", "{ips: [10.6.0.1]}").updateFrom("{ips: [10.6.0.1]}")
            .meta("deletionTimestamp: '2026-01-01T00:00:00Z'"),
        rip("reservedIP ips changed freely", "{ips: [10.6.0.9]}").updateFrom("{ips: [10.6.0.1]}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void admitted(AdmissionCase c) {
    assertDoesNotThrow(c::run, c.description);
  }

  @Test
  void poolAddressesAreWhatTheAllocatorMayHandOut() {
    ObjectNode p = object("SpiderIPPool", "p", "", "{subnet: 10.6.0.0/16, ips: [10.6.0.1-10.6.0.10, 10.6.0.20], "
        + "excludeIPs: [10.6.0.5]}");
    pools.mutate(p);
    List<AddressRange> r = PoolSpecs.admittedRanges(p);
    assertEquals(List.of("10.6.0.1-10.6.0.4", "10.6.0.6-10.6.0.10", "10.6.0.20"), RangeSet.toTexts(r));
    assertEquals(10, PoolSpecs.admittedTotal(p));
    assertTrue(RangeSet.contains(r, Ip.parse("10.6.0.20")));
    assertFalse(RangeSet.contains(r, Ip.parse("10.6.0.5")));
    assertEquals(4, r.get(0).family());
    assertNull(SpecReader.ipVersion(object("SpiderIPPool", "x", "", "{}")));
  }
}
