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

  /**
   * Whether a commit reaches the disk before it is acknowledged. The embedding library starts PostgreSQL
   * for tests: it always passes {@code -F} (fsync off) and sets {@code synchronous_commit=off}. An address
   * acknowledged to a pod could then be lost in a crash and handed to another pod, and a power loss could
   * corrupt the data directory. {@code -c} settings come after {@code -F} on the command line and win.
   */
  public enum Durability { DURABLE, UNSAFE_FAST }

  /** @param dataDir the PostgreSQL data directory; kept across restarts. */
  public static EmbeddedDatabase start(Path dataDir) throws IOException {
    return start(dataDir, 0);
  }

  /** @param port a fixed port, or 0 for any free one */
  public static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
    return start(dataDir, port, Durability.DURABLE);
  }

  public static EmbeddedDatabase start(Path dataDir, int port, Durability durability) throws IOException {
    Files.createDirectories(dataDir.getParent());
    EmbeddedPostgres.Builder builder = durable(EmbeddedPostgres.builder(), durability);
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

  /** An embedded server in a throw-away directory (tests): nothing in it has to survive a crash. */
  public static EmbeddedDatabase startEphemeral() throws IOException {
    return new EmbeddedDatabase(durable(EmbeddedPostgres.builder(), Durability.UNSAFE_FAST)
        .setServerConfig("max_connections", "300")
        .setServerConfig("listen_addresses", "127.0.0.1")
        .start());
  }

  private static EmbeddedPostgres.Builder durable(EmbeddedPostgres.Builder b, Durability durability) {
    boolean on = durability == Durability.DURABLE;
    return b.setServerConfig("fsync", on ? "on" : "off")
        .setServerConfig("synchronous_commit", on ? "on" : "off")
        .setServerConfig("full_page_writes", on ? "on" : "off");
  }

  public DatabaseUrl url() {
    return DatabaseUrl.parse("postgresql://postgres:postgres@127.0.0.1:" + postgres.getPort() + "/postgres");
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
