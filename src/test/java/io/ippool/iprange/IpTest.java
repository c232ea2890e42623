package io.ippool.iprange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "0.0.0.0|0.0.0.0",
      "10.6.168.131|10.6.168.131",
      "255.255.255.255|255.255.255.255",
      "2001:0db8:0000:0000:0000:0000:0000:0001|2001:db8::1",
      "2001:DB8::1|2001:db8::1",
      "ABCD::1|abcd::1",
      "2001:db8:0:1:0:0:0:1|2001:db8:0:1::1",
      // tie between two runs of two zero groups: the first one is compressed
      "2001:db8:0:0:1:0:0:1|2001:db8::1:0:0:1",
      // a single zero group is never compressed
      "2001:db8:0:1:1:1:1:1|2001:db8:0:1:1:1:1:1",
      "1:2:3:4:5:6:7::|1:2:3:4:5:6:7:0",
      "::2:3:4:5:6:7:8|0:2:3:4:5:6:7:8",
      "1:0:0:2:0:0:0:3|1:0:0:2::3",
      "::|::",
      "::1|::1",
      "1::|1::",
      "fd00::|fd00::",
      "fe80::0001:0000|fe80::1:0",
      // IPv4-mapped IPv6 is printed dotted, as Go's To4() folds it
      "::ffff:1.2.3.4|1.2.3.4",
      "::FFFF:0102:0304|1.2.3.4",
      "0:0:0:0:0:ffff:a00:1|10.0.0.1",
      // IPv4-compatible (deprecated) form is not folded
      "::1.2.3.4|::102:304",
      "1:2:3:4:5:6:1.2.3.4|1:2:3:4:5:6:102:304",
      "::ffff:0:1.2.3.4|::ffff:0:102:304",
      "64:ff9b::192.0.2.33|64:ff9b::c000:221",
  })
  void parsesAndPrintsLikeGo(String in, String canonical) {
    Ip ip = Ip.parse(in);
    assertNotNull(ip, in);
    assertEquals(canonical, ip.toString());
    assertEquals(ip, Ip.parse(canonical), "canonical text parses back to the same address");
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {
      "", " ", "1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "010.0.0.1", "1.2.3.04", "00.1.2.3", " 1.2.3.4", "1.2.3.4 ",
      "1.2.3.-4", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4/32", "localhost", "0x1.2.3.4", "1.2.3.4:80",
      ":", ":::", "1:::2", "::1::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
      "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7", ":1::", "1::2:", "fe80::1%eth0", "[::1]", "::ffff:1.2.3",
      "::ffff:1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:01.2.3.4", "g::1", "::1.2.3.4:5", "1.2.3.4-1.2.3.5",
      "１.2.3.4",
  })
  void rejectsWhatGoRejects(String in) {
    assertNull(Ip.parse(in), in);
  }

  @Test
  void familyFollowsGoTo4() {
    assertEquals(4, Ip.parse("::ffff:10.0.0.1").family());
    assertEquals(BigInteger.valueOf(0x0a000001L), Ip.parse("::ffff:10.0.0.1").value());
    assertEquals(6, Ip.parse("::10.0.0.1").family());
    assertEquals(4, Ip.parse("::ffff:0:0").family(), "::ffff:0:0 is 0.0.0.0, mapped");
    assertEquals("0.0.0.0", Ip.parse("::ffff:0:0").toString());
  }

  @Test
  void ordersByTheSixteenByteForm() {
    // Go sorts by To16(): IPv4 addresses sit inside ::ffff:0:0/96, between small and large IPv6 values.
    Ip small = Ip.parse("::1");
    Ip v4 = Ip.parse("10.0.0.1");
    Ip big = Ip.parse("fd00::1");
    assertEquals(-1, Integer.signum(small.compareTo(v4)));
    assertEquals(-1, Integer.signum(v4.compareTo(big)));
  }
}
