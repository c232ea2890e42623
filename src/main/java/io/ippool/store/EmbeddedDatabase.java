package io.ippool.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real PostgreSQL server (zonky's packaged binaries) whose data directory persists under the server's
 * data directory, so {@code java -jar} alone gives a working, durable API.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** @param dataDir the PostgreSQL data directory; kept across restarts. */
  public static EmbeddedDatabase start(Path dataDir) throws IOException {
    return start(dataDir, 0);
  }

  /** @param port a fixed port, or 0 for any free one */
  public static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
    Files.createDirectories(dataDir.getParent());
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    if (port > 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres pg = builder
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setServerConfig("max_connections", "200")
        .setServerConfig("listen_addresses", "127.0.0.1")
        .start();
    return new EmbeddedDatabase(pg);
  }

  /** An embedded server in a throw-away directory (tests). */
  public static EmbeddedDatabase startEphemeral() throws IOException {
    return new EmbeddedDatabase(EmbeddedPostgres.builder()
        .setServerConfig("max_connections", "300")
        .setServerConfig("listen_addresses", "127.0.0.1")
        .start());
  }

  public DatabaseUrl url() {
    return DatabaseUrl.parse("postgresql://postgres:postgres@127.0.0.1:" + postgres.getPort() + "/postgres");
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
