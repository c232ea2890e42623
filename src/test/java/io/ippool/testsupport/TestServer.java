package io.ippool.testsupport;

import io.ippool.server.ApiServer;
import io.ippool.server.ServerConfig;
import io.ippool.store.DatabaseUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A real server process-in-JVM on a free port, with its own fresh database and data directory. */
public final class TestServer implements AutoCloseable {
  private final ApiServer server;
  private final Path dataDir;
  private final DatabaseUrl database;

  private TestServer(ApiServer server, Path dataDir, DatabaseUrl database) {
    this.server = server;
    this.dataDir = dataDir;
    this.database = database;
  }

  public static TestServer start() {
    return start(TestDatabase.fresh(), null);
  }

  /** Another replica of {@code first}: same database and the same PKI, so one kubeconfig serves both. */
  public static TestServer replicaOf(TestServer first) {
    try {
      Path dir = Files.createTempDirectory("ippool-test");
      Path pki = Files.createDirectories(dir.resolve("pki"));
      try (var files = Files.list(first.dataDir().resolve("pki"))) {
        for (Path f : files.toList()) {
          Files.copy(f, pki.resolve(f.getFileName()));
        }
      }
      return start(first.database(), null, dir);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A server on an existing database. */
  public static TestServer start(DatabaseUrl database, Path ipamSocket) {
    try {
      return start(database, ipamSocket, Files.createTempDirectory("ippool-test"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A server with the given authentication options (e.g. delegated to a mock kube-apiserver). */
  public static TestServer withAuth(io.ippool.server.AuthOptions auth) {
    try {
      return start(TestDatabase.fresh(), null, Files.createTempDirectory("ippool-test"), auth);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TestServer start(DatabaseUrl database, Path ipamSocket, Path dir) {
    return start(database, ipamSocket, dir, io.ippool.server.AuthOptions.defaults());
  }

  private static TestServer start(DatabaseUrl database, Path ipamSocket, Path dir, io.ippool.server.AuthOptions auth) {
    return start(database, ipamSocket, dir, auth, 0);
  }

  /**
   * A server in {@code dir} (its PKI is kept across starts) on a fixed {@code port}: starting it again after
   * {@link #close()} is a server restart its HTTPS clients can reconnect to.
   */
  public static TestServer start(DatabaseUrl database, Path ipamSocket, Path dir, io.ippool.server.AuthOptions auth,
                                 int port) {
    try {
      ServerConfig cfg = new ServerConfig(dir, database.toUrl(), "127.0.0.1", port, ipamSocket, null, null, null,
          Duration.ofMinutes(15), 8, auth, Duration.ofDays(30));
      return new TestServer(new ApiServer(cfg).start(), dir, database);
    } catch (Exception e) {
      throw new IllegalStateException("test server did not start", e);
    }
  }

  public int port() {
    return server.port();
  }

  public String url() {
    return "https://127.0.0.1:" + server.port();
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path kubeconfig() {
    return dataDir.resolve("kubeconfig");
  }

  public DatabaseUrl database() {
    return database;
  }

  public ApiServer server() {
    return server;
  }

  @Override
  public void close() {
    server.stop();
  }
}
