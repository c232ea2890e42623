package io.ippool.iprange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

  @ParameterizedTest(name = "{0} -> {1} (v{2})")
  @CsvSource({
      "172.18.40.0/24, 172.18.40.0/24, 4",
      "172.10.5.0/16, 172.10.0.0/16, 4",
      "172.18.40.40/24, 172.18.40.0/24, 4",
      "10.0.0.0/024, 10.0.0.0/24, 4",
      "0.0.0.0/0, 0.0.0.0/0, 4",
      "10.0.0.1/32, 10.0.0.1/32, 4",
      "fd00::1/64, fd00::/64, 6",
      "ABCD:1234::/120, abcd:1234::/120, 6",
      "::/0, ::/0, 6",
      "fd00:0:0:0:0:0:0:1/128, fd00::1/128, 6",
      // Go folds an IPv4-mapped network with prefix >= 96 into an IPv4 one
      "::ffff:1.2.3.0/120, 1.2.3.0/24, 4",
  })
  void canonicalFormIsGoIpNetString(String in, String canonical, int version) {
    Cidr c = Cidr.parse(in);
    assertNotNull(c, in);
    assertEquals(canonical, c.canonical());
    assertEquals(version, c.version());
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.6.0.0/33", "10.0.0.0", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/ 8", "10.0.0.0/8 ",
      "fd00::/129", "010.0.0.0/8", "fe80::%eth0/64", "10.0.0.0/8/8", "", "/8", "10.0.0.0/0x8"})
  void invalid(String in) {
    assertNull(Cidr.parse(in));
  }

  @Test
  void containsIsFamilyStrict() {
    Cidr v4 = Cidr.parse("10.6.0.0/16");
    assertTrue(v4.contains(Ip.parse("10.6.168.131")));
    assertTrue(v4.contains(Ip.parse("::ffff:10.6.0.1")));
    assertFalse(v4.contains(Ip.parse("10.7.0.1")));
    assertFalse(v4.contains(Ip.parse("::a06:1")));
    Cidr all6 = Cidr.parse("::/0");
    assertTrue(all6.contains(Ip.parse("fd00::1")));
    assertFalse(all6.contains(Ip.parse("10.0.0.1")), "Go: ::/0 does not contain IPv4 addresses");
    assertEquals("10.6.255.255", Cidr.parse("10.6.0.0/16").toRange().lastIp().toString());
  }

  @Test
  void overlapFollowsSpiderpoolIsCIDROverlap() {
    assertTrue(Cidr.parse("10.0.0.0/24").overlaps(Cidr.parse("10.0.0.128/25")));
    assertTrue(Cidr.parse("10.0.0.128/25").overlaps(Cidr.parse("10.0.0.0/24")));
    assertFalse(Cidr.parse("10.0.0.0/24").overlaps(Cidr.parse("10.0.1.0/24")));
    assertTrue(Cidr.parse("10.0.0.0/24").overlaps(Cidr.parse("10.0.0.7/24")), "same network, other spelling");
    assertTrue(Cidr.parse("fd00::/48").overlaps(Cidr.parse("fd00:0:0:1::/64")));
    assertTrue(Cidr.parse("10.0.0.0/8").containsCidr(Cidr.parse("10.1.0.0/16")));
    assertFalse(Cidr.parse("10.1.0.0/16").containsCidr(Cidr.parse("10.0.0.0/8")));
  }

  @Test
  void versionChecksUseTheUnmaskedAddress() {
    assertTrue(Cidr.isCidrOfVersion(4, "172.18.40.0/24"));
    assertFalse(Cidr.isCidrOfVersion(6, "172.18.40.0/24"));
    assertTrue(Cidr.isCidrOfVersion(6, "fd00::/64"));
    assertFalse(Cidr.isCidrOfVersion(4, "fd00::/64"));
    assertFalse(Cidr.isCidrOfVersion(4, "172.18.40.0"));
  }
}
