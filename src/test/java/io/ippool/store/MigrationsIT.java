package io.ippool.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ippool.testsupport.TestDatabase;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

class MigrationsIT {
  @Test
  void freshDatabase_hasRevisionCounterAtOne() throws Exception {
    DatabaseUrl url = TestDatabase.fresh();
    try (var c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
         ResultSet rs = c.createStatement().executeQuery("SELECT value FROM revision_counter")) {
      rs.next();
      assertEquals(1L, rs.getLong(1));
    }
  }

  /** Every group just below a 16-bit boundary must survive numeric -> inet (numeric division rounds). */
  @Test
  void numToInet_isExactForAddressesNearGroupBoundaries() throws Exception {
    DatabaseUrl url = TestDatabase.fresh();
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
      for (String ip : new String[] {"fd00:0:0:2:ffff:ffff:ffff:fffe", "fd00::ffff:ffff:ffff:ffff",
          "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1", "2001:db8:0:0:8000::"}) {
        BigInteger n = new BigInteger(1, java.net.InetAddress.getByName(ip).getAddress());
        try (var ps = c.prepareStatement("SELECT host(ipam_num_to_inet(6::smallint, ?::numeric))")) {
          ps.setString(1, n.toString());
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertEquals(java.net.InetAddress.getByName(ip), java.net.InetAddress.getByName(rs.getString(1)), ip);
          }
        }
      }
    }
  }
}
