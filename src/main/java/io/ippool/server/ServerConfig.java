package io.ippool.server;

import io.ippool.ipam.GcConfig;
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
    boolean embeddedDatabaseUnsafe,
    GcConfig gc) {

  /** A configuration whose embedded PostgreSQL, if any, is durable, with garbage collection's defaults. */
  public ServerConfig(Path dataDir, String databaseUrl, String bindAddress, int securePort, Path ipamSocket,
                      Path tlsCertFile, Path tlsKeyFile, Path clientCaFile, Duration eventRetention,
                      int databasePoolSize, AuthOptions auth, Duration allocationHistory) {
    this(dataDir, databaseUrl, bindAddress, securePort, ipamSocket, tlsCertFile, tlsKeyFile, clientCaFile,
        eventRetention, databasePoolSize, auth, allocationHistory, false, GcConfig.defaults());
  }

  public boolean embeddedDatabase() {
    return databaseUrl == null || databaseUrl.isBlank();
  }
}
