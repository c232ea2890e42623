package io.ippool.agent;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * Probes for the kubelet: {@code /livez} is the process answering; {@code /readyz} is the server having
 * answered the last exchange (a node whose agent cannot reach the server cannot start pods).
 */
final class AgentHealth {
  private AgentHealth() {
  }

  static Future<HttpServer> start(Vertx vertx, ServerLink link, String address, int port) {
    return vertx.createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/livez" -> req.response().end("ok");
        case "/readyz" -> {
          if (link.reachable()) {
            req.response().end("ok");
          } else {
            req.response().setStatusCode(503).end("IPAM server " + link.server() + " not reachable");
          }
        }
        default -> req.response().setStatusCode(404).end();
      }
    }).listen(port, address);
  }
}
