package io.ippool.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import org.junit.jupiter.api.Test;

/** The options every server connection (pool and LISTEN) is built from carry the URL's TLS mode. */
class DatabaseTest {
  @Test
  void sslModeOfTheUrlReachesTheConnectOptions() {
    PgConnectOptions o = Database.connectOptions(
        DatabaseUrl.parse("postgresql://app:secret@db.example:6432/ipam?sslmode=verify-full"));
    assertEquals(SslMode.VERIFY_FULL, o.getSslMode());
    assertEquals("db.example", o.getHost());
    assertEquals(6432, o.getPort());
    assertEquals("ipam", o.getDatabase());
    assertEquals("app", o.getUser());
    assertEquals("secret", o.getPassword());
    assertEquals(SslMode.REQUIRE,
        Database.connectOptions(DatabaseUrl.parse("postgresql://u:p@h/db?sslmode=require")).getSslMode());
    assertEquals(SslMode.DISABLE, Database.connectOptions(DatabaseUrl.parse("postgresql://u:p@h/db")).getSslMode());
  }
}
