package io.ippool.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.testsupport.TestDatabase;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.flywaydb.core.Flyway;
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

  /**
   * A database of a released version (migrations up to V7) upgrades: the versioned files it already ran are
   * unchanged (Flyway validates their checksums), and the reporting views, columns added since included, come
   * from the repeatable migration, which runs last, with the analysts' rights re-applied.
   */
  @Test
  void aReleasedDatabaseUpgrades_andTheViewsComeFromTheRepeatableMigration() throws Exception {
    DatabaseUrl url = TestDatabase.empty();
    // The released version had no repeatable migration: a prefix no file has keeps R__ out of this step
    // (Flyway applies repeatables whatever the target).
    Flyway.configure().dataSource(url.jdbcUrl(), url.user(), url.password()).locations("classpath:db")
        .target("7").repeatableSqlMigrationPrefix("NOT_IN_THE_RELEASE").loggers("slf4j").load().migrate();
    assertTrue(Migrations.migrate(url) > 0);
    assertEquals(0, Migrations.migrate(url), "nothing to do the second time");
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
      try (ResultSet rs = c.createStatement().executeQuery(
          "SELECT script FROM flyway_schema_history ORDER BY installed_rank DESC LIMIT 1")) {
        rs.next();
        assertEquals("R__reporting_views.sql", rs.getString(1));
      }
      try (ResultSet rs = c.createStatement().executeQuery(
          "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'reporting' "
              + "AND table_name = 'allocation_events' AND column_name = 'reason'")) {
        rs.next();
        assertEquals(1, rs.getInt(1), "allocation_events.reason, added after the release");
      }
      try (ResultSet rs = c.createStatement().executeQuery("""
          SELECT has_table_privilege('ippool_reporting', 'reporting.allocation_events', 'SELECT'),
                 has_table_privilege('ippool_reporting', 'reporting.pool_utilization', 'SELECT'),
                 has_function_privilege('ippool_reporting', 'reporting.pool_utilization_rows()', 'EXECUTE'),
                 (SELECT bool_and(p.proacl IS NOT NULL
                                  AND NOT EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0))
                    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = 'reporting')""")) {
        rs.next();
        assertTrue(rs.getBoolean(1), "analysts read the re-created views");
        assertTrue(rs.getBoolean(2));
        assertTrue(rs.getBoolean(3), "and may run the functions the views read");
        assertTrue(rs.getBoolean(4), "no reporting function is executable by everyone");
      }
    }
  }
}
