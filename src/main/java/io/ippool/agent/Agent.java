package io.ippool.agent;

import io.ippool.ipam.http.IpamSocketServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: spiderpool-agent's IPAM API on the node's unix socket, answered by the server over a few
 * persistent authenticated connections. It holds no database credentials and no state of its own, so it starts
 * serving at once (the server may come later: calls wait for it within their budget) and any number of them
 * can run.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
  /** Keeps the connections warm and readiness current between pod starts. */
  private static final long HEARTBEAT_MS = 10_000;

  private final AgentConfig config;
  private Vertx vertx;
  private ServerLink link;
  private HttpServer socket;
  private HttpServer health;
  private long heartbeat = -1;

  public Agent(AgentConfig config) {
    this.config = config;
  }

  public Agent start() throws Exception {
    // Two event loops and no file cache: the agent is small, and its root filesystem may be read-only.
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2)
        .setInternalBlockingPoolSize(2)
        .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
    link = new ServerLink(vertx, config.upstream(), config.nodeName(), config.connections(), config.budget());
    socket = await(IpamSocketServer.start(vertx, config.socket(), AgentRoutes.router(vertx, link, config.budget())));
    if (config.healthPort() >= 0) {
      health = await(AgentHealth.start(vertx, link, config.healthAddress(), config.healthPort()));
    }
    LOG.info("agent serving socket={} node={} server={} healthPort={}", config.socket(), config.nodeName(),
        link.server(), health == null ? "off" : health.actualPort());
    // The first exchange opens the connection, so the first pod start does not pay the TLS handshake.
    ping(config.budget());
    heartbeat = vertx.setPeriodic(HEARTBEAT_MS, id -> ping(AgentRoutes.HEALTH_BUDGET));
    return this;
  }

  private void ping(Duration budget) {
    boolean before = link.reachable();
    link.send(HttpMethod.GET, "/v1/ipam/healthy", null, budget).onComplete(ar -> {
      boolean now = ar.succeeded() && ar.result().status() == 200;
      if (now != before) {
        if (now) {
          LOG.info("IPAM server reachable server={}", link.server());
        } else {
          LOG.warn("IPAM server not healthy server={} error=\"{}\"", link.server(),
              ar.succeeded() ? ar.result().body().toString().strip() : ar.cause().getMessage());
        }
      }
    });
  }

  public Path socket() {
    return config.socket();
  }

  public int healthPort() {
    return health == null ? -1 : health.actualPort();
  }

  /** Graceful: stop accepting on the socket, let calls in flight finish, then close the connections. */
  @Override
  public void close() {
    try {
      if (heartbeat >= 0) {
        vertx.cancelTimer(heartbeat);
      }
      if (socket != null) {
        await(socket.shutdown(10, TimeUnit.SECONDS));
        Files.deleteIfExists(config.socket());
      }
      if (health != null) {
        await(health.close());
      }
      if (link != null) {
        link.close();
      }
      if (vertx != null) {
        await(vertx.close());
      }
    } catch (Exception e) {
      LOG.warn("error stopping the agent: {}", e.getMessage());
    }
    LOG.info("agent stopped");
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Everything an agent needs; see the {@code agent} command for what each is. */
  public record AgentConfig(Upstream upstream, String nodeName, Path socket, Duration budget, int connections,
                            String healthAddress, int healthPort) {
  }
}
