package io.ippool.store.allocation;

import io.ippool.spiderpool.PoolSpecs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.iprange.RangeSet;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The allocator's reading of stored specs and the range rows written from it. Pins what the SQL and the CNI result
 * depend on: numbers (IPv4 0..2^32-1, IPv6 0..2^128-1), canonical text, prefix and family.
 */
class PoolSpecsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode obj(String spec) throws Exception {
    return (ObjectNode) JSON.readTree("{\"metadata\":{\"name\":\"x\"},\"spec\":" + spec + "}");
  }

  @Test
  void poolIsIpsMinusExcludesWithItsWrittenPrefix() throws Exception {
    PoolSpecs.PoolShape s = PoolSpecs.poolShape(obj("{\"subnet\":\"10.0.0.0/16\",\"ips\":[\"10.0.0.10-10.0.0.20\","
        + "\"10.0.0.1-10.0.0.5\",\"10.0.0.6\"],\"excludeIPs\":[\"10.0.0.3\",\"10.0.0.15-10.0.0.25\"]}"));
    assertEquals(4, s.family());
    assertEquals(16, s.prefixLength());
    assertEquals(List.of("10.0.0.1-10.0.0.2", "10.0.0.4-10.0.0.6", "10.0.0.10-10.0.0.14"),
        RangeSet.toTexts(s.effective()));
    assertEquals(BigInteger.valueOf(10), RangeSet.count(s.effective()));
    RangeRows rows = RangeRows.of(s.effective());
    assertArrayEquals(new String[] {"167772161", "167772164", "167772170"}, rows.firsts());
    assertArrayEquals(new String[] {"10.0.0.2", "10.0.0.6", "10.0.0.14"}, rows.lastIps());
  }

  @Test
  void ipv6NumbersAre128BitUnsigned() throws Exception {
    PoolSpecs.PoolShape s = PoolSpecs.poolShape(obj(
        "{\"ipVersion\":6,\"subnet\":\"fd00::/64\",\"ips\":[\"fd00::-fd00::ffff:ffff:ffff:ffff\"]}"));
    assertEquals(6, s.family());
    assertEquals(64, s.prefixLength());
    assertEquals(BigInteger.ONE.shiftLeft(64), RangeSet.count(s.effective()));
    RangeRows rows = RangeRows.of(s.effective());
    assertEquals(new BigInteger("fd000000000000000000000000000000", 16).toString(), rows.firsts()[0]);
    assertEquals("fd00::ffff:ffff:ffff:ffff", rows.lastIps()[0]);
  }

  @Test
  void bodiesThatSkippedAdmissionAreReadAsBefore() throws Exception {
    // overlapping ips (admission's mutation would have merged them) are joined; a reversed range adds nothing
    PoolSpecs.PoolShape s = PoolSpecs.poolShape(obj("{\"subnet\":\"10.9.0.0/24\",\"ips\":[\"10.9.0.85-10.9.0.116\","
        + "\"10.9.0.72-10.9.0.102\",\"10.9.0.30-10.9.0.29\"]}"));
    assertEquals(List.of("10.9.0.72-10.9.0.116"), RangeSet.toTexts(s.effective()));
  }

  @Test
  void textGoCannotReadOrOfTheWrongFamilyIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> PoolSpecs.poolShape(
        obj("{\"ipVersion\":4,\"subnet\":\"10.0.0.0/24\",\"ips\":[\"fd00::1\"]}")));
    assertThrows(IllegalArgumentException.class, () -> PoolSpecs.poolShape(
        obj("{\"subnet\":\"10.0.0.0/24\",\"ips\":[\"010.0.0.1\"]}")));
    assertThrows(IllegalArgumentException.class, () -> PoolSpecs.poolShape(obj("{\"subnet\":\"10.0.0/24\"}")));
  }

  @Test
  void reservationsFollowGoFamilies() throws Exception {
    assertEquals(List.of("10.6.0.1-10.6.0.3"),
        RangeSet.toTexts(PoolSpecs.reservationRanges(obj("{\"ips\":[\"10.6.0.3\",\"10.6.0.1-10.6.0.2\"]}"))));
    assertEquals(6, PoolSpecs.reservationFamily(obj("{\"ips\":[\"fd00::1-fd00::2\"]}")));
    // IPv4-mapped text is the IPv4 address, as it is to Go and to admission (the old private parser said v6)
    assertEquals(4, PoolSpecs.reservationFamily(obj("{\"ips\":[\"::ffff:10.6.0.9\"]}")));
    // "::10.6.0.1" passes the textual IPv4 test but is no IPv4 address: not applicable to v4 pools
    assertThrows(IllegalArgumentException.class,
        () -> PoolSpecs.reservationRanges(obj("{\"ipVersion\":4,\"ips\":[\"::10.6.0.1\"]}")));
  }
}
