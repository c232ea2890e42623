package io.ippool.server;

import io.ippool.store.allocation.SqlGcRepository;
import io.ippool.store.allocation.SqlAllocationRepository;
import io.ippool.admission.webhook.NamespaceLabels;
import io.ippool.admission.webhook.WebhookConfigurations;
import io.ippool.admission.webhook.WebhookDispatcher;
import io.ippool.admission.webhook.WebhookKindAdmission;
import io.ippool.ipam.Allocator;
import io.ippool.ipam.AllocatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ippool.ipam.Fabric8KubeMetadata;
import io.ippool.ipam.GarbageCollector;
import io.ippool.ipam.KubeMetadata;
import io.ippool.ipam.http.IpamRoutes;
import io.ippool.errors.ApiException;
import io.ippool.http.ConnectionTimeouts;
import io.ippool.http.Responses;
import io.ippool.http.UriEscapes;
import io.ippool.auth.IpamAccess;
import io.ippool.ipam.http.IpamSocketServer;
import io.ippool.http.ApiRouter;
import io.ippool.http.RequestUser;
import io.ippool.http.Health;
import io.ippool.http.OpenApiRoutes;
import io.ippool.http.RequestLogHandler;
import io.ippool.http.discovery.DiscoveryDocuments;
import io.ippool.http.resource.Kinds;
import io.ippool.http.resource.ResourceEndpoint;
import io.ippool.http.resource.WatchHandler;
import io.ippool.metrics.Metrics;
import io.ippool.metrics.MetricsProbes;
import io.ippool.metrics.MicrometerAllocationMetrics;
import io.ippool.store.stats.SqlPoolStats;
import io.ippool.metrics.http.MetricsRoutes;
import io.ippool.metrics.http.RequestMetricsHandler;
import io.ippool.registry.KindDefinition;
import io.ippool.registry.ResourceRegistry;
import io.ippool.store.Compactor;
import io.ippool.store.Database;
import io.ippool.store.DatabaseUrl;
import io.ippool.store.EmbeddedDatabase;
import io.ippool.store.Migrations;
import io.ippool.store.ResourceStore;
import io.ippool.store.watch.EventHub;
import io.ippool.tls.GeneratedPki;
import io.ippool.tls.Pem;
import io.ippool.tls.ReloadingCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.time.Clock;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts and stops one server process: database, migrations, certificates, HTTP. */
public final class ApiServer {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  private final ServerConfig config;
  private EmbeddedDatabase embedded;
  private Vertx vertx;
  private Pool pool;
  private EventHub hub;
  private HttpServer http;
  private Health health;
  private DatabaseUrl databaseUrl;
  private int port;
  private long compactionTimer = -1;
  private Allocator allocator;
  private KubeMetadata kubeMetadata;
  private GarbageCollector garbageCollector;
  private KubernetesClient ownClusterClient;
  private HttpServer ipamSocket;
  private AuthSetup auth;
  private WebhookConfigurations webhookConfigurations;
  private WebhookDispatcher webhooks;
  private ReloadingCertificates reloader;
  private final Metrics metrics = new Metrics();
  private WatchHandler watches;
  private MetricsProbes probes;
  private static final long COMPACTION_PERIOD_MS = 60_000;

  public ApiServer(ServerConfig config) {
    this.config = config;
  }

  /**
   * Blocking start: serves HTTPS at once (health endpoints say what is missing), then waits for the database with
   * backoff, migrates it, and opens the API. Returns when the API answers.
   */
  public ApiServer start() throws Exception {
    Files.createDirectories(config.dataDir());
    databaseUrl = config.embeddedDatabase()
        ? startEmbedded()
        : DatabaseUrl.parse(config.databaseUrl());
    GeneratedPki pki = GeneratedPki.ensure(config.dataDir().resolve("pki"), config.bindAddress(), List.of());
    vertx = metrics.newVertx();
    pool = Database.pool(vertx, databaseUrl, config.databasePoolSize());
    hub = new EventHub(vertx, pool, Database.connectOptions(databaseUrl), ServedKinds.projections());

    ResourceStore store = ServedKinds.store(pool);
    auth = AuthSetup.create(vertx, config.auth(), pki, config.clientCaFile());
    // One client per cluster: delegation's when there is one, else our own for pod metadata (or none).
    KubernetesClient cluster = auth.kube != null ? auth.kube : KubeConnection.client(config.auth().kubeconfig);
    ownClusterClient = auth.kube == null ? cluster : null;
    kubeMetadata = cluster == null ? KubeMetadata.standalone() : await(Fabric8KubeMetadata.start(vertx, cluster));
    MicrometerAllocationMetrics allocationMetrics = new MicrometerAllocationMetrics(metrics);
    allocator = new Allocator(new SqlAllocationRepository(pool), kubeMetadata, AllocatorConfig.defaults())
        .withMetrics(allocationMetrics).withStatefulSetAddresses(config.gc().statefulSet());
    ResourceRegistry registry = new ResourceRegistry(store);
    List<KindDefinition> served = ServedKinds.all(ServedKinds.spiderpoolAdmissions());
    if (auth.kube != null) {
      // In a cluster kube-apiserver does not admit our kinds: call the cluster's webhooks ourselves.
      webhookConfigurations = WebhookConfigurations.start(auth.kube);
      webhooks = new WebhookDispatcher(vertx, webhookConfigurations.source(), NamespaceLabels.of(vertx, auth.kube));
      served = served.stream().map(def -> WebhookKindAdmission.decorate(def, webhooks)).toList();
    }
    Kinds kinds = new Kinds(served);
    health = new Health(pool);
    health.notReady("waiting for the database at " + databaseUrl.redacted());
    watches = new WatchHandler(vertx, store, hub);
    ResourceEndpoint resources = new ResourceEndpoint(kinds, registry, watches);
    ApiRouter router = new ApiRouter(vertx, new DiscoveryDocuments(kinds), resources, health, auth.authenticator,
        auth.authorizer, new OpenApiRoutes(), IpamRoutes.PREFIX, new IpamAccess(config.auth().ipamAgentUsers), r -> {
          MetricsRoutes.mount(r, metrics);
          IpamRoutes.mount(r, allocator, ctx -> ctx.get(IpamAccess.CALLER_NODE));
        });
    Router routes = router.build();
    RequestMetricsHandler.install(routes, metrics, plural -> kinds.byPlural(plural) != null);
    RequestLogHandler.install(routes);
    startHttps(pki, routes);

    connectDatabase();
    await(hub.start());
    Compactor compactor = new Compactor(pool, config.eventRetention(), config.allocationHistory());
    compactionTimer = vertx.setPeriodic(COMPACTION_PERIOD_MS, id -> compactor.compactOnce()
        .onSuccess(n -> LOG.debug("event log compacted removed={}", n))
        .onFailure(e -> LOG.warn("event log compaction failed: {}", e.getMessage())));
    if (config.ipamSocket() != null) {
      ipamSocket = await(IpamSocketServer.start(vertx, config.ipamSocket(), allocator));
      LOG.info("IPAM API listening socket={}", config.ipamSocket());
      Path socketFile = config.ipamSocket();
      // The CNI plugin dials the path: a socket file removed or replaced under us means pods cannot get IPs.
      health.addCheck("ipam-socket", () -> isSocket(socketFile) ? null : socketFile + " is not a socket");
    }
    probes = new MetricsProbes(metrics, pool, hub, new SqlPoolStats(pool)).start(vertx, MetricsProbes.DEFAULT_PERIOD_MS);
    if (kubeMetadata instanceof Fabric8KubeMetadata clusterMetadata && config.gc().enabled()) {
      garbageCollector = new GarbageCollector(vertx, new SqlGcRepository(pool), clusterMetadata, config.gc(), allocationMetrics,
          Clock.systemUTC()).start();
    }
    health.ready();
    // Written last: a kubeconfig in the data directory means "this server answers kubectl now".
    String url = "https://" + hostForUrl(config.bindAddress()) + ":" + port;
    Pem.writeFile(config.dataDir().resolve("kubeconfig"), pki.kubeconfig(url), true);
    LOG.info("ready url={} kubeconfig={}", url, config.dataDir().resolve("kubeconfig"));
    return this;
  }

  /** Migrates the database, retrying with capped exponential backoff while it cannot be reached. */
  private void connectDatabase() throws InterruptedException {
    long delayMs = 500;
    while (true) {
      try {
        int applied = Migrations.migrate(databaseUrl);
        LOG.info("database ready url={} migrationsApplied={}", databaseUrl.redacted(), applied);
        return;
      } catch (RuntimeException e) {
        String why = rootMessage(e);
        health.notReady("database " + databaseUrl.redacted() + " unreachable: " + why);
        LOG.warn("database unreachable url={} error=\"{}\" retryInMs={}", databaseUrl.redacted(), why, delayMs);
        Thread.sleep(delayMs);
        delayMs = Math.min(delayMs * 2, 30_000);
      }
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return DatabaseUrl.redact(String.valueOf(root.getMessage()));
  }

  private void startHttps(GeneratedPki pki, Router routes) throws Exception {
    Path cert = config.tlsCertFile() != null ? config.tlsCertFile() : pki.serverCert;
    Path key = config.tlsKeyFile() != null ? config.tlsKeyFile() : pki.serverKey;
    PemTrustOptions trust = new PemTrustOptions();
    for (var ca : auth.trustedClientCas) {
      trust.addCertValue(io.vertx.core.buffer.Buffer.buffer(Pem.encode(ca)));
    }
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.bindAddress())
        .setPort(config.securePort())
        .setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()))
        .setTrustOptions(trust)
        .setClientAuth(ClientAuth.REQUEST)
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
        .setCompressionSupported(true)
        .setUseAlpn(true);
    http = await(new ConnectionTimeouts(vertx, ConnectionTimeouts.HEADER_TIMEOUT, ConnectionTimeouts.IDLE_TIMEOUT)
        .install(vertx.createHttpServer(options), req -> {
          String bad = UriEscapes.malformed(req.uri());
          if (bad != null) {
            req.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                .end(Responses.statusDocument(ApiException.badRequest("invalid URL escape \"" + bad + "\""))
                    .toString());
            return;
          }
          routes.handle(req);
        }).listen());
    if (config.tlsCertFile() != null) {
      // Certificates from files (e.g. a cert-manager Secret) are renewed in place: reload them when they change.
      reloader = new ReloadingCertificates(vertx, http, options.getSslOptions(), cert, key,
          config.auth().tlsReloadInterval);
      await(reloader.start());
    }
    port = http.actualPort();
    LOG.info("serving url=https://{}:{}", hostForUrl(config.bindAddress()), port);
  }

  private DatabaseUrl startEmbedded() throws Exception {
    Path pgData = config.dataDir().resolve("postgres");
    LOG.info("starting embedded PostgreSQL dataDir={}", pgData);
    if (config.embeddedDatabaseUnsafe()) {
      LOG.warn("embedded PostgreSQL runs without fsync and synchronous commit: a crash can lose acknowledged "
          + "allocations and a power loss can corrupt {}", pgData);
    }
    embedded = EmbeddedDatabase.start(pgData, 0, config.embeddedDatabaseUnsafe()
        ? EmbeddedDatabase.Durability.UNSAFE_FAST : EmbeddedDatabase.Durability.DURABLE);
    return embedded.url();
  }

  private static boolean isSocket(Path p) {
    try {
      return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
          java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther();
    } catch (java.io.IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  public Allocator allocator() {
    return allocator;
  }

  public EventHub eventHub() {
    return hub;
  }

  public Metrics metrics() {
    return metrics;
  }

  public DatabaseUrl databaseUrl() {
    return databaseUrl;
  }

  /** Graceful: stop accepting, close watches and connections, then the database. */
  public void stop() {
    if (health != null) {
      health.shuttingDown();
    }
    try {
      if (garbageCollector != null) {
        garbageCollector.close();
      }
      if (compactionTimer >= 0) {
        vertx.cancelTimer(compactionTimer);
      }
      if (probes != null) {
        probes.stop();
      }
      if (ipamSocket != null) {
        await(ipamSocket.shutdown(10, TimeUnit.SECONDS));
      }
      if (watches != null) {
        watches.closeAll(); // a clean end for every watch; then in-flight requests (allocations) drain
      }
      if (http != null) {
        await(http.shutdown(10, TimeUnit.SECONDS));
      }
      if (kubeMetadata instanceof AutoCloseable c) {
        c.close();
      }
      if (ownClusterClient != null) {
        ownClusterClient.close();
      }
      if (reloader != null) {
        reloader.stop();
      }
      if (webhookConfigurations != null) {
        webhookConfigurations.close();
      }
      if (webhooks != null) {
        webhooks.close();
      }
      if (auth != null && auth.kube != null) {
        auth.kube.close();
      }
      if (hub != null) {
        await(hub.stop());
      }
      if (pool != null) {
        await(pool.close());
      }
      if (vertx != null) {
        await(vertx.close());
      }
    } catch (Exception e) {
      LOG.warn("error during shutdown: {}", e.getMessage());
    }
    if (embedded != null) {
      try {
        embedded.close();
      } catch (Exception e) {
        LOG.warn("error stopping embedded PostgreSQL: {}", e.getMessage());
      }
    }
    LOG.info("stopped");
  }

  private static String hostForUrl(String bind) {
    if (bind.equals("0.0.0.0")) {
      return "127.0.0.1";
    }
    if (bind.equals("::")) {
      return "[::1]";
    }
    return bind.contains(":") ? "[" + bind + "]" : bind;
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
