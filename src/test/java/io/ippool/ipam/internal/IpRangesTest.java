package io.ippool.ipam.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpRangesTest {
  @Test
  void formatsLikeGo() {
    assertEquals("10.6.168.133", IpAddr.parse("10.6.168.133").toString());
    assertEquals("fd00::1", IpAddr.parse("FD00:0:0:0:0:0:0:1").toString());
    assertEquals("fd00:0:1::", IpAddr.parse("fd00:0:1:0:0:0:0:0").toString());
    assertEquals("1:0:2::3", IpAddr.parse("1:0:2:0:0:0:0:3").toString()); // single zero group stays
    assertEquals("::", IpAddr.parse("::").toString());
    assertThrows(IllegalArgumentException.class, () -> IpAddr.parse("example.com"));
    assertThrows(IllegalArgumentException.class, () -> IpAddr.parse("10.0.0"));
  }

  @Test
  void mergesAndSubtracts() {
    IpRanges ips = IpRanges.parse(4, List.of("10.0.0.10-10.0.0.20", "10.0.0.1-10.0.0.5", "10.0.0.6", "10.0.0.30-10.0.0.29"));
    assertEquals(2, ips.ranges().size()); // .1-.6 and .10-.20; the reversed range adds nothing
    IpRanges ex = IpRanges.parse(4, List.of("10.0.0.3", "10.0.0.15-10.0.0.25"));
    IpRanges eff = ips.minus(ex);
    assertEquals(List.of("10.0.0.1-10.0.0.2", "10.0.0.4-10.0.0.6", "10.0.0.10-10.0.0.14"), eff.ranges().stream()
        .map(r -> IpAddr.format(4, r.first()) + "-" + IpAddr.format(4, r.last())).toList());
    assertEquals(BigInteger.valueOf(10), eff.size());
  }

  @Test
  void ipv6Slash64Size() {
    IpRanges r = IpRanges.parse(6, List.of("fd00::-fd00::ffff:ffff:ffff:ffff"));
    assertEquals(BigInteger.ONE.shiftLeft(64), r.size());
    assertThrows(IllegalArgumentException.class, () -> IpRanges.parse(4, List.of("fd00::1")));
  }
}
