package io.ippool.agent;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;

/**
 * spiderpool-agent's IPAM API as the CNI plugin sees it on the node's socket, each call answered by the server.
 * The plugin understands 200 and "500 with the message as a JSON string" only, so anything else the server
 * says (a Kubernetes Status for a credential problem, say) reaches it in that shape, with the server's words.
 */
public final class AgentRoutes {
  private static final long MAX_BODY = 1 << 20;
  /**
   * A health check is answered within this even when the server is away: long enough to ride over a
   * reconnect, short enough that "unhealthy" is reported while the plugin's own call still has time.
   */
  static final Duration HEALTH_BUDGET = Duration.ofSeconds(2);

  private AgentRoutes() {
  }

  public static Router router(io.vertx.core.Vertx vertx, ServerLink link, Duration budget) {
    Router router = Router.router(vertx);
    router.route("/v1/ipam/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
    router.get("/v1/ipam/healthy").handler(ctx -> forward(ctx, link, HttpMethod.GET, HEALTH_BUDGET));
    router.post("/v1/ipam/ip").handler(ctx -> forward(ctx, link, HttpMethod.POST, budget));
    router.delete("/v1/ipam/ip").handler(ctx -> forward(ctx, link, HttpMethod.DELETE, budget));
    router.delete("/v1/ipam/ips").handler(ctx -> forward(ctx, link, HttpMethod.DELETE, budget));
    // spiderpool-agent serves this as a stub that does nothing; so does the server, so no round trip.
    router.post("/v1/ipam/ips").handler(ctx -> ctx.response().setStatusCode(200).end());
    return router;
  }

  private static void forward(RoutingContext ctx, ServerLink link, HttpMethod method, Duration budget) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    link.send(method, ctx.request().path(), body, budget).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause().getMessage());
        return;
      }
      ServerLink.Reply r = ar.result();
      if (r.status() == 200 || isJsonString(r.body())) {
        var resp = ctx.response().setStatusCode(r.status());
        if (r.contentType() != null) {
          resp.putHeader("Content-Type", r.contentType());
        }
        resp.end(r.body());
        return;
      }
      error(ctx, "IPAM server " + link.server() + " answered " + r.status() + ": " + statusMessage(r.body()));
    });
  }

  private static boolean isJsonString(Buffer body) {
    String s = body.toString().strip();
    return s.length() >= 2 && s.charAt(0) == '"';
  }

  /** The message of a Kubernetes Status, or the body's text. */
  private static String statusMessage(Buffer body) {
    try {
      if (Json.decodeValue(body) instanceof JsonObject o && o.getString("message") != null) {
        return o.getString("message");
      }
    } catch (DecodeException | ClassCastException ignored) {
      // not JSON: the text itself
    }
    String s = body.toString().strip();
    return s.length() > 500 ? s.substring(0, 500) : s;
  }

  private static void error(RoutingContext ctx, String message) {
    ctx.response().setStatusCode(500).putHeader("Content-Type", "application/json").end(Json.encode(message));
  }
}
