package io.ippool.server;

import java.nio.file.Path;
import java.time.Duration;

/** Everything `serve` needs, resolved from flags and environment. */
public record ServerConfig(
    Path dataDir,
    String databaseUrl,
    String bindAddress,
    int securePort,
    Path ipamSocket,
    Path tlsCertFile,
    Path tlsKeyFile,
    Path clientCaFile,
    Duration eventRetention,
    int databasePoolSize,
    AuthOptions auth,
    Duration allocationHistory,
    boolean embeddedDatabaseUnsafe) {

  /** A configuration whose embedded PostgreSQL, if any, is durable. */
  public ServerConfig(Path dataDir, String databaseUrl, String bindAddress, int securePort, Path ipamSocket,
                      Path tlsCertFile, Path tlsKeyFile, Path clientCaFile, Duration eventRetention,
                      int databasePoolSize, AuthOptions auth, Duration allocationHistory) {
    this(dataDir, databaseUrl, bindAddress, securePort, ipamSocket, tlsCertFile, tlsKeyFile, clientCaFile,
        eventRetention, databasePoolSize, auth, allocationHistory, false);
  }

  public boolean embeddedDatabase() {
    return databaseUrl == null || databaseUrl.isBlank();
  }
}
