package io.ippool.testsupport;

import io.ippool.store.DatabaseUrl;
import io.ippool.store.EmbeddedDatabase;
import io.ippool.store.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL per test JVM: {@code PG_URL} if set, else Testcontainers where a Docker engine
 * answers, else zonky's embedded server. Each caller gets a fresh database on it, migrated by Flyway,
 * so test classes never see each other's rows.
 */
public final class TestDatabase {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static DatabaseUrl server;

  private TestDatabase() {
  }

  /** A new, migrated database on the shared server. */
  public static DatabaseUrl fresh() {
    DatabaseUrl url = empty();
    Migrations.migrate(url);
    return url;
  }

  /** A new database on the shared server, with no migration applied (for tests of the migrations). */
  public static synchronized DatabaseUrl empty() {
    DatabaseUrl base = server();
    String name = "t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection c = DriverManager.getConnection(base.jdbcUrl(), base.user(), base.password());
         Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create test database on " + base.redacted(), e);
    }
    return new DatabaseUrl(base.host(), base.port(), name, base.user(), base.password(), base.params());
  }

  /** The server every test database lives on. */
  public static synchronized DatabaseUrl server() {
    if (server == null) {
      server = startServer();
    }
    return server;
  }

  private static DatabaseUrl startServer() {
    String fromEnv = System.getenv("PG_URL");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return DatabaseUrl.parse(fromEnv);
    }
    DatabaseUrl docker = Containers.tryStart();
    if (docker != null) {
      return docker;
    }
    try {
      EmbeddedDatabase db = EmbeddedDatabase.startEphemeral();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          db.close();
        } catch (Exception ignored) {
          // the JVM is exiting; zonky removes its temp directory itself
        }
      }));
      return db.url();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start embedded PostgreSQL", e);
    }
  }

  /** Testcontainers, only where a Docker engine answers; kept apart so its classes load only when needed. */
  static final class Containers {
    static DatabaseUrl tryStart() {
      try {
        if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
          return null;
        }
        var pg = new org.testcontainers.containers.PostgreSQLContainer<>("postgres:17-alpine");
        pg.start();
        return DatabaseUrl.parse("postgresql://" + pg.getUsername() + ":" + pg.getPassword() + "@" + pg.getHost()
            + ":" + pg.getMappedPort(5432) + "/" + pg.getDatabaseName());
      } catch (Throwable t) {
        return null;
      }
    }
  }
}
