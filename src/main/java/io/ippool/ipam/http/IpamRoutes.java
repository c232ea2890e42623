package io.ippool.ipam.http;

import io.ippool.auth.IpamAccess;
import io.ippool.ipam.Allocator;
import io.ippool.ipam.IpamException;
import io.ippool.ipam.IpamModels;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * spiderpool-agent's IPAM REST API (basePath /v1), as the Spiderpool CNI plugin calls it: success is 200
 * with the documented body (or none); every failure is 500 with the message as a JSON string.
 */
public final class IpamRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(IpamRoutes.class);
  private static final long MAX_BODY = 1 << 20;

  private IpamRoutes() {
  }

  /** The node-local socket: its callers are root on this machine, not scoped to a node. */
  public static void mount(Router router, Allocator allocator) {
    mount(router, allocator, null);
  }

  /**
   * HTTPS: a caller the HTTP layer scoped to a node (context key {@link IpamAccess#CALLER_NODE}) may allocate
   * and release only for pods that {@code scope} does not place on another node. Their requests join the same
   * batches as everyone else's.
   */
  public static void mount(Router router, Allocator allocator, NodeScope scope) {
    router.route("/v1/ipam/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
    router.get("/v1/ipam/healthy").handler(ctx -> empty(ctx, allocator.healthy()));
    router.post("/v1/ipam/ip").handler(ctx -> {
      Future<IpamModels.AddResponse> f = parse(ctx, IpamModels.AddArgs::fromJson)
          .compose(a -> scoped(ctx, scope, a.podNamespace(), a.podName()).map(a))
          .compose(allocator::allocate);
      f.onSuccess(r -> ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
              .end(r.toJson().encode()))
          .onFailure(e -> fail(ctx, e));
    });
    router.delete("/v1/ipam/ip").handler(ctx ->
        empty(ctx, parse(ctx, IpamModels.DelArgs::fromJson)
            .compose(a -> scoped(ctx, scope, a.podNamespace(), a.podName()).map(a))
            .compose(allocator::release)));
    router.delete("/v1/ipam/ips").handler(ctx ->
        empty(ctx, parse(ctx, IpamModels.BatchDelArgs::fromJson)
            .compose(a -> scoped(ctx, scope, a.podNamespace(), a.podName()).map(a))
            .compose(allocator::releasePod)));
    // The agent serves this as a stub that does nothing.
    router.post("/v1/ipam/ips").handler(ctx -> ctx.response().setStatusCode(200).end());
  }

  private static Future<Void> scoped(RoutingContext ctx, NodeScope scope, String namespace, String name) {
    String node = ctx.get(IpamAccess.CALLER_NODE);
    return scope == null || node == null ? Future.succeededFuture() : scope.check(node, namespace, name);
  }

  private static <T> Future<T> parse(RoutingContext ctx, Function<JsonObject, T> reader) {
    String text = ctx.body() == null ? null : ctx.body().asString();
    if (text == null || text.isBlank()) {
      return Future.failedFuture(new IpamException("body in body is required"));
    }
    try {
      Object v = Json.decodeValue(text);
      if (!(v instanceof JsonObject j)) {
        return Future.failedFuture(new IpamException("parsing body body from \"\" failed, because the body is "
            + "not a JSON object"));
      }
      return Future.succeededFuture(reader.apply(j));
    } catch (DecodeException e) {
      return Future.failedFuture(new IpamException("parsing body body from \"\" failed, because "
          + e.getMessage()));
    } catch (IpamException e) {
      return Future.failedFuture(e);
    }
  }

  private static void empty(RoutingContext ctx, Future<Void> f) {
    f.onSuccess(v -> ctx.response().setStatusCode(200).end()).onFailure(e -> fail(ctx, e));
  }

  private static void fail(RoutingContext ctx, Throwable e) {
    String msg = e instanceof IpamException ? e.getMessage() : String.valueOf(e.getMessage());
    if (!(e instanceof IpamException)) {
      LOG.warn("IPAM request {} {} failed", ctx.request().method(), ctx.request().path(), e);
    }
    ctx.response().setStatusCode(500).putHeader("Content-Type", "application/json").end(Json.encode(msg));
  }
}
