package io.ippool.agent;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's connections to the server: a few persistent TLS connections (HTTP/2 multiplexes every request
 * on them, so a burst of pod starts pays no handshake), each request authenticated and naming this node.
 *
 * <p>A request that cannot reach the server, or that the server answers with 503 (starting, database away),
 * is sent again with capped backoff until its budget is spent. Sending again is safe: an ADD repeated for
 * the same container, interface and pod returns the address it already got, and a DEL of something
 * already released succeeds.
 */
public final class ServerLink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServerLink.class);
  /** The header naming the node an agent serves; the server checks it against the caller's credentials. */
  public static final String NODE_HEADER = io.ippool.auth.IpamAccess.NODE_HEADER;
  private static final long FIRST_DELAY_MS = 100;
  private static final long MAX_DELAY_MS = 2_000;
  private static final long CONNECT_TIMEOUT_MS = 3_000;

  private final Vertx vertx;
  private final Upstream upstream;
  private final String nodeName;
  private final HttpClient client;
  private final AtomicBoolean reachable = new AtomicBoolean(false);
  private final long answerTimeoutMs;

  /** What the server answered. */
  public record Reply(int status, Buffer body, String contentType) {
  }

  /** The server could not be reached within a request's budget. */
  public static final class UnreachableException extends RuntimeException {
    UnreachableException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * @param answerTimeout how long a request that reached the server may wait for its answer: a busy server is
   *                      slow, not unreachable, so this is the whole request budget even for a health check
   */
  public ServerLink(Vertx vertx, Upstream upstream, String nodeName, int connections, Duration answerTimeout) {
    this.vertx = vertx;
    this.answerTimeoutMs = answerTimeout.toMillis();
    this.upstream = upstream;
    this.nodeName = nodeName;
    int port = upstream.server().getPort() > 0 ? upstream.server().getPort() : 443;
    HttpClientOptions options = new HttpClientOptions()
        .setSsl(true)
        .setUseAlpn(true)
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setDefaultHost(upstream.server().getHost())
        .setDefaultPort(port)
        .setVerifyHost(true)
        .setKeepAlive(true)
        .setConnectTimeout((int) CONNECT_TIMEOUT_MS)
        .setTcpNoDelay(true);
    if (upstream.tlsServerName() != null) {
      options.setForceSni(true);
    }
    if (upstream.caPem() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(upstream.caPem())));
    }
    if (upstream.clientCertPem() != null) {
      options.setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(upstream.clientCertPem()))
          .addKeyValue(Buffer.buffer(upstream.clientKeyPem())));
    }
    PoolOptions pool = new PoolOptions().setHttp2MaxSize(connections).setHttp1MaxSize(connections * 4);
    this.client = vertx.createHttpClient(options, pool);
  }

  /** Whether the last exchange with the server got an answer other than 503. */
  public boolean reachable() {
    return reachable.get();
  }

  public String server() {
    return upstream.server().toString();
  }

  /**
   * Sends one request, again and again within {@code budget} while the server cannot be reached (connection
   * refused or reset, or 503); an answer is awaited for the link's answer timeout.
   */
  public Future<Reply> send(HttpMethod method, String path, Buffer body, Duration budget) {
    long deadline = System.nanoTime() + budget.toNanos();
    Promise<Reply> result = Promise.promise();
    attempt(method, path, body, deadline, 1, FIRST_DELAY_MS, result, budget);
    return result.future();
  }

  private void attempt(HttpMethod method, String path, Buffer body, long deadline, int attempt, long delayMs,
                       Promise<Reply> result, Duration budget) {
    long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    once(method, path, body, Math.max(remainingMs, answerTimeoutMs)).onComplete(ar -> {
      String why;
      if (ar.succeeded() && ar.result().status() != 503) {
        reachable.set(true);
        result.complete(ar.result());
        return;
      } else if (ar.succeeded()) {
        why = "server answered 503 " + ar.result().body().toString().strip();
      } else {
        why = describe(ar.cause());
      }
      reachable.set(false);
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= delayMs) {
        LOG.warn("IPAM server unreachable server={} path={} attempts={} error=\"{}\"", server(), path, attempt, why);
        result.fail(new UnreachableException("spiderpool-agent on node " + nodeName + " cannot reach the IPAM "
            + "server " + server() + ": " + why + " (" + attempt + " attempts in " + budget.toSeconds() + "s)"));
        return;
      }
      LOG.debug("retrying IPAM request path={} attempt={} inMs={} error=\"{}\"", path, attempt, delayMs, why);
      vertx.setTimer(delayMs, id -> attempt(method, path, body, deadline, attempt + 1,
          Math.min(delayMs * 2, MAX_DELAY_MS), result, budget));
    });
  }

  private Future<Reply> once(HttpMethod method, String path, Buffer body, long timeoutMs) {
    RequestOptions req = new RequestOptions().setMethod(method).setURI(path)
        .setConnectTimeout(Math.min(timeoutMs, CONNECT_TIMEOUT_MS)).setIdleTimeout(timeoutMs)
        .putHeader(NODE_HEADER, nodeName);
    if (upstream.tlsServerName() != null) {
      req.setHost(upstream.tlsServerName()).setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(
          upstream.server().getPort() > 0 ? upstream.server().getPort() : 443, upstream.server().getHost()));
    }
    String authorization;
    try {
      authorization = upstream.authorization();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (authorization != null) {
      req.putHeader("Authorization", authorization);
    }
    if (body != null && body.length() > 0) {
      req.putHeader("Content-Type", "application/json");
    }
    return client.request(req)
        .compose(r -> body == null ? r.send() : r.send(body))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b, resp.getHeader("Content-Type"))));
  }

  private static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
  }

  @Override
  public void close() {
    client.close();
  }
}
