package io.ippool.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ippool.testsupport.TestDatabase;
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
}
