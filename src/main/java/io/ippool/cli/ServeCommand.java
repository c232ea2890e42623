package io.ippool.cli;

import io.ippool.server.ApiServer;
import io.ippool.ipam.GcConfig;
import io.ippool.server.AuthOptions;
import io.ippool.server.ServerConfig;
import java.nio.file.Path;
import io.ippool.server.DurationConverter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `serve`: the API server. Every flag also reads an IPPOOL_* environment variable. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve the spiderpool.spidernet.io/v2beta1 API and IP allocation from PostgreSQL.")
public final class ServeCommand implements Callable<Integer> {

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:IPPOOL_DATA_DIR:-./data}",
      description = "Certificates, kubeconfig and (without --database-url) the embedded PostgreSQL. "
          + "Env IPPOOL_DATA_DIR. Default: ${DEFAULT-VALUE}")
  Path dataDir;

  @Option(names = "--database-url", paramLabel = "URL", defaultValue = "${env:IPPOOL_DATABASE_URL}",
      description = "postgresql://user:password@host:port/db of an external PostgreSQL 14+; empty runs an "
          + "embedded PostgreSQL in DATA_DIR/postgres. Env IPPOOL_DATABASE_URL.")
  String databaseUrl;

  @Option(names = "--bind-address", paramLabel = "ADDR", defaultValue = "${env:IPPOOL_BIND_ADDRESS:-127.0.0.1}",
      description = "Address the HTTPS port listens on. Env IPPOOL_BIND_ADDRESS. Default: ${DEFAULT-VALUE}")
  String bindAddress;

  @Option(names = "--secure-port", paramLabel = "PORT", defaultValue = "${env:IPPOOL_SECURE_PORT:-6443}",
      description = "HTTPS port (0 picks a free one). Env IPPOOL_SECURE_PORT. Default: ${DEFAULT-VALUE}")
  int securePort;

  @Option(names = "--ipam-socket", paramLabel = "PATH", defaultValue = "${env:IPPOOL_IPAM_SOCKET}",
      description = "Unix socket for the CNI plugin's IPAM API (mode 0600); empty disables it. "
          + "Env IPPOOL_IPAM_SOCKET.")
  Path ipamSocket;

  @Option(names = "--tls-cert-file", paramLabel = "FILE", defaultValue = "${env:IPPOOL_TLS_CERT_FILE}",
      description = "Serving certificate (PEM); default: one generated in DATA_DIR/pki. Env IPPOOL_TLS_CERT_FILE.")
  Path tlsCertFile;

  @Option(names = "--tls-private-key-file", paramLabel = "FILE", defaultValue = "${env:IPPOOL_TLS_PRIVATE_KEY_FILE}",
      description = "Key of --tls-cert-file (PEM). Env IPPOOL_TLS_PRIVATE_KEY_FILE.")
  Path tlsKeyFile;

  @Option(names = "--client-ca-file", paramLabel = "FILE", defaultValue = "${env:IPPOOL_CLIENT_CA_FILE}",
      description = "Extra CA bundle that client certificates may be signed by (besides DATA_DIR/pki/ca.crt). "
          + "Env IPPOOL_CLIENT_CA_FILE.")
  Path clientCaFile;

  @Option(names = "--event-retention", paramLabel = "DURATION", defaultValue = "${env:IPPOOL_EVENT_RETENTION:-15m}",
      converter = DurationConverter.class,
      description = "How long watch history is kept (e.g. 90s, 15m, 2h). Env IPPOOL_EVENT_RETENTION. "
          + "Default: ${DEFAULT-VALUE}")
  Duration eventRetention;

  @Option(names = "--allocation-history", paramLabel = "DURATION",
      defaultValue = "${env:IPPOOL_ALLOCATION_HISTORY:-720h}", converter = DurationConverter.class,
      description = "How long allocate/release events are kept for reporting.allocation_events (history the watch "
          + "path still needs is kept regardless). Env IPPOOL_ALLOCATION_HISTORY. Default: ${DEFAULT-VALUE}")
  Duration allocationHistory;

  @Option(names = "--database-pool-size", paramLabel = "N", defaultValue = "${env:IPPOOL_DATABASE_POOL_SIZE:-16}",
      description = "Connections to PostgreSQL. Env IPPOOL_DATABASE_POOL_SIZE. Default: ${DEFAULT-VALUE}")
  int databasePoolSize;

  @Option(names = "--embedded-database-unsafe-no-fsync", paramLabel = "BOOL",
      defaultValue = "${env:IPPOOL_EMBEDDED_DATABASE_UNSAFE_NO_FSYNC:-false}", arity = "0..1",
      description = "Trade durability for speed: run the embedded PostgreSQL with fsync and synchronous_commit "
          + "off. A crash can then lose allocations already acknowledged to pods (and hand those addresses out "
          + "again); a power loss can corrupt the database. For throw-away setups only. "
          + "Env IPPOOL_EMBEDDED_DATABASE_UNSAFE_NO_FSYNC. Default: ${DEFAULT-VALUE}")
  boolean embeddedDatabaseUnsafe;

  @Option(names = "--gc-enabled", arity = "0..1", fallbackValue = "true",
      defaultValue = "${env:IPPOOL_GC_ENABLED:-true}",
      description = "Reclaim addresses of pods that are gone, re-created, finished, terminating past their grace "
          + "period or on deleted nodes (needs a cluster: --kubeconfig or in-cluster). Env IPPOOL_GC_ENABLED. "
          + "Default: ${DEFAULT-VALUE}")
  boolean gcEnabled;

  @Option(names = "--gc-interval", paramLabel = "DURATION", defaultValue = "${env:IPPOOL_GC_INTERVAL:-600s}",
      converter = DurationConverter.class,
      description = "Period of the full garbage collection sweep (pod and node events are acted on at once). "
          + "Env IPPOOL_GC_INTERVAL. Default: ${DEFAULT-VALUE}")
  Duration gcInterval;

  @Option(names = "--gc-additional-grace-delay", paramLabel = "DURATION",
      defaultValue = "${env:IPPOOL_GC_ADDITIONAL_GRACE_DELAY:-5s}", converter = DurationConverter.class,
      description = "Waited beyond a terminating pod's grace period before its addresses are reclaimed. "
          + "Env IPPOOL_GC_ADDITIONAL_GRACE_DELAY. Default: ${DEFAULT-VALUE}")
  Duration gcAdditionalGraceDelay;

  @Option(names = "--enable-statefulset", arity = "0..1", fallbackValue = "true",
      defaultValue = "${env:IPPOOL_ENABLE_STATEFULSET:-true}",
      description = "A StatefulSet pod keeps its addresses across re-creation while it is a valid replica. "
          + "Env IPPOOL_ENABLE_STATEFULSET. Default: ${DEFAULT-VALUE}")
  boolean enableStatefulSet;

  @Mixin
  AuthOptions auth = new AuthOptions();

  @Mixin
  LoggingOptions logging;

  @Override
  public Integer call() throws Exception {
    logging.apply();
    ServerConfig config = new ServerConfig(dataDir, databaseUrl, bindAddress, securePort, ipamSocket, tlsCertFile,
        tlsKeyFile, clientCaFile, eventRetention, databasePoolSize, auth, allocationHistory, embeddedDatabaseUnsafe,
        new GcConfig(gcEnabled, gcInterval, gcAdditionalGraceDelay, enableStatefulSet,
            GcConfig.defaults().youngestCollectable(), GcConfig.defaults().poolsPerBatch(),
            GcConfig.defaults().eventDelay()));
    ApiServer server = new ApiServer(config);
    CountDownLatch stopRequested = new CountDownLatch(1);
    // SIGTERM (kubelet, systemd) and SIGINT (Ctrl-C) ask for a graceful stop; handling them ourselves lets the
    // process exit 0 after draining instead of the JVM's 143/130. They also end a wait for the database.
    for (String signal : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stopRequested.countDown());
    }
    Throwable[] failure = new Throwable[1];
    Thread starter = new Thread(() -> {
      try {
        server.start();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        failure[0] = e;
        stopRequested.countDown();
      }
    }, "start");
    Thread fallback = new Thread(server::stop, "shutdown"); // any other JVM exit still stops cleanly
    Runtime.getRuntime().addShutdownHook(fallback);
    starter.start();
    stopRequested.await();
    starter.interrupt();
    starter.join(10_000);
    Runtime.getRuntime().removeShutdownHook(fallback);
    server.stop();
    if (failure[0] != null) {
      System.err.println("ippool-apiserver: " + failure[0].getMessage());
      return 1;
    }
    return 0;
  }
}
