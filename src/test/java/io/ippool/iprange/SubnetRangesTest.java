package io.ippool.iprange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubnetRangesTest {

  private static List<String> list(String s) {
    return s == null || s.isEmpty() ? List.of() : Arrays.asList(s.split(",", -1));
  }

  @ParameterizedTest(name = "{3}")
  @CsvSource(delimiter = '|', nullValues = "~", value = {
      "10.6.0.0/33|10.6.0.1|~|invalid CIDR address: 10.6.0.0/33",
      "10.6.0.0/16|10.6.0.1-10.6.0.2-10.6.0.3|~|invalid range: 10.6.0.1-10.6.0.2-10.6.0.3",
      "10.6.0.0/16|10.6.0.0/28|~|invalid range: 10.6.0.0/28",
      "10.6.0.0/16|10.6.0.0/28-10.6.0.20|~|invalid IP address: 10.6.0.0/28",
      "10.6.0.0/16|10.6.0.1-|~|'invalid IP address: '",
      "10.6.0.0/16|10.6.0.256|~|invalid IP address: 10.6.0.256",
      "10.6.0.0/16|10.7.0.1|~|not match base subnet: 10.7.0.1",
      "10.6.0.0/16|fd00::1|~|not match base subnet: fd00::1",
      "fd00::/64|10.6.0.1|~|not match base subnet: 10.6.0.1",
      "10.6.0.0/16|10.6.0.1|10.8.0.1|not match base subnet: 10.8.0.1",
      "10.6.0.0/16|10.6.0.1-10.6.0.10,10.6.0.2-10.6.0.3|~|range 10.6.0.2-10.6.0.3 is already covered by 10.6.0.1-10.6.0.10",
      "10.6.0.0/16|10.6.0.2-10.6.0.3,10.6.0.1-10.6.0.10|~|range 10.6.0.1-10.6.0.10 covers 10.6.0.2-10.6.0.3",
      "10.6.0.0/16|10.6.0.1-10.6.0.10,10.6.0.10-10.6.0.20|~|range 10.6.0.10-10.6.0.20 overlaps with 10.6.0.1-10.6.0.10",
      "10.6.0.0/16|10.6.0.5-10.6.0.20,10.6.0.1-10.6.0.10|~|range 10.6.0.1-10.6.0.10 overlaps with 10.6.0.5-10.6.0.20",
      "10.6.0.0/16|10.6.0.1,10.6.0.1|~|range 10.6.0.1 is already covered by 10.6.0.1",
  })
  void newCidrErrorsAreSpiderpoolsWords(String base, String ips, String exclude, String message) {
    IpRangeException e = assertThrows(IpRangeException.class, () -> SubnetRanges.of(base, list(ips), list(exclude)));
    assertEquals(message, e.getMessage());
  }

  @Test
  void reversedRangeIsSwappedByGoButRefusedStrictly() throws Exception {
    SubnetRanges go = SubnetRanges.of("10.6.0.0/16", List.of("10.6.0.10-10.6.0.1"), List.of());
    assertEquals(10L, go.totalCapped());
    ReversedRangeException e = assertThrows(ReversedRangeException.class,
        () -> SubnetRanges.strict("10.6.0.0/16", List.of("10.6.0.20", "10.6.0.10-10.6.0.1"), List.of()));
    assertEquals("invalid IP range format in IPv4 '10.6.0.10-10.6.0.1'", e.getMessage());
    assertEquals(1, e.index());
    assertFalse(e.inExclude());
    ReversedRangeException x = assertThrows(ReversedRangeException.class,
        () -> SubnetRanges.strict("fd00::/64", List.of("fd00::1-fd00::9"), List.of("fd00::5-fd00::3")));
    assertEquals("invalid IP range format in IPv6 'fd00::5-fd00::3'", x.getMessage());
    assertTrue(x.inExclude());
  }

  @Test
  void excludesSplitRangesAndKeepTheirRawText() throws Exception {
    SubnetRanges s = SubnetRanges.of("10.6.0.0/16", List.of("10.6.0.1-10.6.0.10", "10.6.0.11"),
        List.of("10.6.0.5", "10.6.0.100"));
    assertEquals(10L, s.totalCapped());
    assertEquals(List.of("10.6.0.1-10.6.0.10", "10.6.0.1-10.6.0.10", "10.6.0.11"),
        s.pieces().stream().map(SubnetRanges.Piece::raw).toList());
    assertEquals(List.of("10.6.0.1-10.6.0.4", "10.6.0.6-10.6.0.11"), RangeSet.toTexts(s.ranges()));
  }

  @Test
  void overlapReportsTheOtherSidesRawRanges() throws Exception {
    SubnetRanges mine = SubnetRanges.of("10.6.0.0/16", List.of("10.6.0.1-10.6.0.10", "10.6.0.20-10.6.0.30"), List.of());
    SubnetRanges theirs = SubnetRanges.of("10.6.0.0/16", List.of("10.6.0.5-10.6.0.25"), List.of());
    assertEquals(List.of("10.6.0.5-10.6.0.25", "10.6.0.5-10.6.0.25"), mine.overlappingRaws(theirs));
    SubnetRanges apart = SubnetRanges.of("10.6.0.0/16", List.of("10.6.0.11-10.6.0.19"), List.of());
    assertEquals(List.of(), mine.overlappingRaws(apart));
  }

  @Test
  void reservedIpGuideObjectsAreValid() throws Exception {
    SubnetRanges s = SubnetRanges.strict("10.6.0.0/16", List.of("10.6.168.131-10.6.168.133"), List.of());
    assertEquals(3L, s.totalCapped());
  }
}
