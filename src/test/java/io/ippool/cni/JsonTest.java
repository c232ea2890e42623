package io.ippool.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void roundTripsKeepingKeyOrderAndEscapes() {
    String text = "{\"b\":[1,2.5,-3e2,true,false,null],\"a\":\"q\\\"\\\\\\n\\u00e9/\",\"o\":{}}";
    Object v = Json.parse(text);
    assertEquals("{\"b\":[1,2.5,-300,true,false,null],\"a\":\"q\\\"\\\\\\né/\",\"o\":{}}", Json.write(v));
    assertEquals(List.of("x"), Json.parse(" [ \"x\" ] "));
  }

  @Test
  void rejectsBrokenInput() {
    for (String bad : new String[] {"", "{", "{\"a\"}", "[1,]", "tru", "{} x", "\"\\x\"", "01a", "[" .repeat(100)}) {
      assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
    }
  }

  @Test
  void ipText_acceptsLiteralsOnly() {
    assertEquals(4, IpText.cidrFamily("10.6.168.133/16"));
    assertEquals(6, IpText.cidrFamily("fd00::5/64"));
    assertEquals(6, IpText.cidrFamily("::/0"));
    assertEquals(6, IpText.family("::ffff:10.0.0.1"));
    assertEquals(6, IpText.family("2001:db8:0:0:0:0:0:1"));
    for (String bad : new String[] {"10.0.0.256/24", "10.0.0.1/33", "10.0.0.1", "fd00::1/129", "1:2:3:4:5:6:7:8:9/64",
        "fd00:::1/64", "example.com/24", "10.0.0.01/8", "fd00::1/"}) {
      assertEquals(0, IpText.cidrFamily(bad), bad);
    }
  }
}
