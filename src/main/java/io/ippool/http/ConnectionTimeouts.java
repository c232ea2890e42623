package io.ippool.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes connections that hold a slot without using it: one that has not delivered a request's headers
 * within the header timeout of opening (or of its previous answer), and one with no request in progress
 * for the idle timeout. A request in progress (a watch may stay quiet for an hour) is never cut.
 */
public final class ConnectionTimeouts {
  public static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(90);

  private final Vertx vertx;
  private final Duration headerTimeout;
  private final Duration idleTimeout;
  private final Map<HttpConnection, State> states = new ConcurrentHashMap<>();

  private static final class State {
    int inFlight;
    boolean servedOne;
    long timer = -1;
  }

  public ConnectionTimeouts(Vertx vertx, Duration headerTimeout, Duration idleTimeout) {
    this.vertx = vertx;
    this.headerTimeout = headerTimeout;
    this.idleTimeout = idleTimeout;
  }

  /** Installs the timeouts on {@code server} in front of {@code requests}. */
  public HttpServer install(HttpServer server, Handler<HttpServerRequest> requests) {
    return server.connectionHandler(this::opened).requestHandler(req -> {
      started(req);
      requests.handle(req);
    });
  }

  private void opened(HttpConnection conn) {
    State s = new State();
    states.put(conn, s);
    conn.closeHandler(v -> {
      State gone = states.remove(conn);
      if (gone != null) {
        synchronized (gone) {
          cancel(gone);
        }
      }
    });
    synchronized (s) {
      arm(conn, s);
    }
  }

  private void started(HttpServerRequest req) {
    HttpConnection conn = req.connection();
    State s = conn == null ? null : states.get(conn);
    if (s == null) {
      return;
    }
    synchronized (s) {
      s.inFlight++;
      s.servedOne = true;
      cancel(s);
    }
    Handler<Void> finished = v -> {
      synchronized (s) {
        if (s.inFlight > 0 && --s.inFlight == 0 && states.containsKey(conn)) {
          arm(conn, s);
        }
      }
    };
    req.response().endHandler(finished);
  }

  /** Before the first request the header timeout applies; between requests the (longer) idle timeout. */
  private void arm(HttpConnection conn, State s) {
    cancel(s);
    long ms = (s.servedOne ? idleTimeout : headerTimeout).toMillis();
    s.timer = vertx.setTimer(ms, id -> {
      synchronized (s) {
        if (s.timer != id || s.inFlight > 0) {
          return;
        }
        s.timer = -1;
      }
      conn.close();
    });
  }

  private void cancel(State s) {
    if (s.timer >= 0) {
      vertx.cancelTimer(s.timer);
      s.timer = -1;
    }
  }
}
