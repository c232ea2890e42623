package io.ippool.iprange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RangesTest {

  private static AddressRange r4(String a, String b) {
    return AddressRange.of(Ip.parse(a), Ip.parse(b));
  }

  @Test
  void mergeSortsDedupesAndJoinsAdjacent() throws Exception {
    assertEquals(List.of("172.18.40.1-172.18.40.5", "172.18.40.10"),
        IpRanges.merge(4, List.of("172.18.40.10", "172.18.40.1-172.18.40.3", "172.18.40.2", "172.18.40.4-172.18.40.5")));
    assertEquals(List.of("10.6.0.1-10.6.0.20"), IpRanges.merge(4, List.of("10.6.0.1-10.6.0.10", "10.6.0.10-10.6.0.20")));
    assertEquals(List.of("10.0.0.1-10.0.0.3"), IpRanges.merge(4, List.of("10.0.0.1-10.0.0.2", "10.0.0.3")));
    assertEquals(List.of("10.0.0.1"), IpRanges.merge(4, List.of("10.0.0.1-10.0.0.1", "::ffff:10.0.0.1")));
    assertEquals(List.of("abcd::1-abcd::2", "abcd::ff"), IpRanges.merge(6, List.of("ABCD::ff", "abcd::2", "abcd:0::1")));
    assertEquals(List.of("0.0.0.0-0.0.0.2"), IpRanges.merge(4, List.of("0.0.0.1", "0.0.0.0", "0.0.0.2")),
        "Go breaks on 0.x.x.x; intervals do not");
  }

  @Test
  void mergeOfHugeIpv6RangesIsInstant() throws Exception {
    long t0 = System.nanoTime();
    List<String> merged = IpRanges.merge(6, List.of("fd00::-fd00::ffff:ffff:ffff:ffff", "fd00::1",
        "fd00:0:0:1::-fd00:0:0:1:ffff:ffff:ffff:ffff"));
    long micros = (System.nanoTime() - t0) / 1000;
    assertEquals(List.of("fd00::-fd00::1:ffff:ffff:ffff:ffff"), merged);
    assertTrue(micros < 200_000, "took " + micros + "us");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "4|10.0.0.10-10.0.0.1|invalid IP range format in IPv4 '10.0.0.10-10.0.0.1'",
      "4|10.0.0.0/28|invalid IP range format in IPv4 '10.0.0.0/28'",
      "4|10.0.0.1 - 10.0.0.2|invalid IP range format in IPv4 '10.0.0.1 - 10.0.0.2'",
      "4|10.0.0.1-10.0.0.2-10.0.0.3|invalid IP range format in IPv4 '10.0.0.1-10.0.0.2-10.0.0.3'",
      "4|fd00::1|invalid IP range format in IPv4 'fd00::1'",
      "6|10.0.0.1|invalid IP range format in IPv6 '10.0.0.1'",
      "6|::ffff:10.0.0.1|invalid IPv6 IP '10.0.0.1'",
      "4|::10.0.0.1|invalid IPv4 IP '::a00:1'",
      "5|10.0.0.1|invalid IP version '5'",
  })
  void mergeErrors(int version, String range, String message) {
    IpRangeException e = assertThrows(IpRangeException.class, () -> IpRanges.merge(version, List.of(range)));
    assertEquals(message, e.getMessage());
  }

  @Test
  void syntaxFollowsGovalidatorFamilies() {
    assertTrue(IpSyntax.isIPRange(4, "172.18.40.1-172.18.40.3"));
    assertTrue(IpSyntax.isIPRange(4, "172.18.40.10"));
    assertTrue(IpSyntax.isIPRange(4, "::ffff:1.2.3.4"));
    assertTrue(IpSyntax.isIPRange(6, "::ffff:1.2.3.4"));
    assertTrue(IpSyntax.isIPRange(6, "fd00::1-fd00::1"));
    assertFalse(IpSyntax.isIPRange(4, "172.18.40.1-2001:db8::1"));
    assertFalse(IpSyntax.isIPRange(4, "172.18.40.1-"));
    assertFalse(IpSyntax.isIPRange(4, ""));
    assertFalse(IpSyntax.isIPRange(6, "fd00::2-fd00::1"));
    assertTrue(IpSyntax.isReversedRange("10.6.0.10-10.6.0.1"));
    assertFalse(IpSyntax.isReversedRange("10.6.0.1-10.6.0.10"));
  }

  @Test
  void subtractIntersectCountAndMembership() {
    List<AddressRange> a = List.of(r4("10.0.0.0", "10.0.0.255"));
    List<AddressRange> b = List.of(r4("10.0.0.10", "10.0.0.19"), r4("10.0.0.255", "10.0.0.255"));
    List<AddressRange> diff = RangeSet.subtract(a, b);
    assertEquals(List.of("10.0.0.0-10.0.0.9", "10.0.0.20-10.0.0.254"), RangeSet.toTexts(diff));
    assertEquals(BigInteger.valueOf(245), RangeSet.count(diff));
    assertEquals(List.of("10.0.0.10-10.0.0.19", "10.0.0.255"), RangeSet.toTexts(RangeSet.intersect(a, b)));
    assertTrue(RangeSet.contains(diff, Ip.parse("10.0.0.9")));
    assertFalse(RangeSet.contains(diff, Ip.parse("10.0.0.10")));
    assertTrue(RangeSet.contains(diff, Ip.parse("10.0.0.254")));
    assertFalse(RangeSet.contains(diff, Ip.parse("fd00::1")));
    assertEquals(BigInteger.valueOf(256), RangeSet.count(List.of(r4("10.0.0.0", "10.0.0.255"), r4("10.0.0.5", "10.0.0.7"))));
  }

  @Test
  void slash8AndIpv6Slash64CostWhatASlash24Costs() throws Exception {
    long t0 = System.nanoTime();
    List<AddressRange> eight = PoolRanges.effectiveRanges("10.0.0.0/8", List.of("10.0.0.0-10.255.255.255"),
        List.of("10.0.0.0", "10.255.255.255", "10.1.0.0-10.1.255.255"));
    assertEquals(16_777_216L - 2 - 65_536, RangeSet.countCapped(eight));
    List<AddressRange> v6 = PoolRanges.effectiveRanges("fd00::/64", List.of("fd00::-fd00::ffff:ffff:ffff:ffff"),
        List.of("fd00::"));
    assertEquals(new BigInteger("18446744073709551615"), RangeSet.count(v6));
    assertEquals(Long.MAX_VALUE, RangeSet.countCapped(v6));
    assertEquals(Long.MAX_VALUE, PoolRanges.totalIPCount("fd00::/64", List.of("fd00::-fd00::ffff:ffff:ffff:ffff"), List.of()));
    assertEquals(List.of("fd00::1-fd00::ffff:ffff:ffff:ffff"), RangeSet.toTexts(v6));
    long micros = (System.nanoTime() - t0) / 1000;
    assertTrue(micros < 200_000, "took " + micros + "us");

    // Warm, it is microseconds.
    long t1 = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
      RangeSet.subtract(v6, List.of(new AddressRange(6, BigInteger.valueOf(i), BigInteger.valueOf(i + 1000))));
    }
    long perOpMicros = (System.nanoTime() - t1) / 1000 / 1000;
    assertTrue(perOpMicros < 100, "per op " + perOpMicros + "us");
  }

  @ParameterizedTest
  @CsvSource({
      "4, 172.18.40.0/24, 172-18-40-0-24",
      "6, abcd:1234::/120, abcd-1234---120",
      "6, fd00:1:2:3:4:5:6:0/112, fd00-1-2-3-4-5-6-0-112",
  })
  void cidrToLabelValue(int version, String subnet, String label) throws Exception {
    assertEquals(label, IpRanges.cidrToLabelValue(version, subnet));
  }

  @Test
  void cidrToLabelValueChecksTheVersion() {
    IpRangeException e = assertThrows(IpRangeException.class, () -> IpRanges.cidrToLabelValue(6, "172.18.40.0/24"));
    assertEquals("invalid CIDR format in IPv6 '172.18.40.0/24'", e.getMessage());
  }
}
