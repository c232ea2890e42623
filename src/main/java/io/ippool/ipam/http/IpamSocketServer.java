package io.ippool.ipam.http;

import io.ippool.ipam.Allocator;
import io.ippool.http.ConnectionTimeouts;
import io.ippool.http.UriEscapes;
import io.ippool.api.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Serves {@link IpamRoutes} over HTTP/1.1 on a unix domain socket, as spiderpool-agent does at
 * /var/run/spidernet/spiderpool.sock. The socket file is mode 0600: only root (the CNI plugin) may allocate.
 *
 * <p>Works with Vert.x's plain NIO transport on JDK 16+ (no native epoll needed). To leave no window in
 * which the socket is reachable with the default umask mode, it is bound under a temporary name, chmod-ed,
 * then renamed into place (a rename keeps the bound socket).
 */
public final class IpamSocketServer {
  private IpamSocketServer() {
  }

  public static Future<HttpServer> start(Vertx vertx, Path socketPath, Allocator allocator) {
    Router router = Router.router(vertx);
    IpamRoutes.mount(router, allocator);
    return start(vertx, socketPath, router);
  }

  /** Serves {@code router} on the socket (the node agent serves its forwarding routes this way). */
  public static Future<HttpServer> start(Vertx vertx, Path socketPath, Router router) {
    Path tmp = socketPath.resolveSibling("." + socketPath.getFileName() + ".binding");
    try {
      Files.createDirectories(socketPath.toAbsolutePath().getParent());
      Files.deleteIfExists(tmp);
      // A stale socket from a previous run would make bind fail.
      Files.deleteIfExists(socketPath);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return new ConnectionTimeouts(vertx, ConnectionTimeouts.HEADER_TIMEOUT, ConnectionTimeouts.IDLE_TIMEOUT)
        .install(vertx.createHttpServer(), req -> {
          String bad = UriEscapes.malformed(req.uri());
          if (bad != null) {
            req.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                .end(Json.write(Json.MAPPER.createObjectNode().put("code", 400)
                    .put("message", "invalid URL escape \"" + bad + "\"")));
            return;
          }
          router.handle(req);
        })
        .listen(SocketAddress.domainSocketAddress(tmp.toAbsolutePath().toString()))
        .compose(server -> vertx.<HttpServer>executeBlocking(() -> {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
          Files.move(tmp, socketPath, StandardCopyOption.ATOMIC_MOVE);
          return server;
        }).recover(e -> server.close().transform(ignored -> Future.<HttpServer>failedFuture(e))));
  }
}
