package io.ippool.ipam.http;

import io.ippool.auth.IpamAccess;
import io.ippool.ipam.Allocator;
import io.ippool.ipam.IpamException;
import io.ippool.ipam.IpamInputException;
import io.ippool.ipam.IpamModels;
import io.ippool.ipam.NodeScope;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.Json;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * spiderpool-agent's IPAM REST API (basePath /v1), as the Spiderpool CNI plugin calls it: success is 200
 * with the documented body (or none); a request refused before any work is 400/415/422 with go-swagger's
 * {@code {"code", "message"}}; every failure of the work is 500 with the message as a JSON string.
 */
public final class IpamRoutes {
  /** The agent IPAM API's paths, as spiderpool-agent serves them. */
  public static final String PREFIX = "/v1/ipam/";
  private static final Logger LOG = LoggerFactory.getLogger(IpamRoutes.class);
  private static final long MAX_BODY = 1 << 20;

  private IpamRoutes() {
  }

  /** The node-local socket: its callers are root on this machine, not scoped to a node. */
  public static void mount(Router router, Allocator allocator) {
    mount(router, allocator, ctx -> null);
  }

  /**
   * @param callerNode the node the caller of a request is (its identity), null for an unscoped caller: a
   *                   node may only allocate and release for pods on itself ({@link NodeScope})
   */
  public static void mount(Router router, Allocator allocator, Function<RoutingContext, String> callerNode) {
    NodeScope scope = allocator.nodeScope();
    router.route("/v1/ipam/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
    router.get("/v1/ipam/healthy").handler(ctx -> empty(ctx, allocator.healthy()));
    router.post("/v1/ipam/ip").handler(ctx -> {
      Future<IpamModels.AddResponse> f = parse(ctx, IpamModels.AddArgs::fromJson)
          .compose(a -> scope.allow(callerNode.apply(ctx), a.podNamespace(), a.podName()).map(a))
          .compose(allocator::allocate);
      f.onSuccess(r -> ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
              .end(Json.write(r.toJson())))
          .onFailure(e -> fail(ctx, e));
    });
    router.delete("/v1/ipam/ip").handler(ctx -> empty(ctx, parse(ctx, IpamModels.DelArgs::fromJson)
        .compose(a -> scope.allow(callerNode.apply(ctx), a.podNamespace(), a.podName()).map(a))
        .compose(allocator::release)));
    router.delete("/v1/ipam/ips").handler(ctx -> empty(ctx, parse(ctx, IpamModels.BatchDelArgs::fromJson)
        .compose(a -> scope.allow(callerNode.apply(ctx), a.podNamespace(), a.podName()).map(a))
        .compose(allocator::releasePod)));
    // The agent serves this as a stub that does nothing.
    router.post("/v1/ipam/ips").handler(ctx -> ctx.response().setStatusCode(200).end());
  }

  /**
   * The body as the agent's go-swagger server takes it: JSON only (a body without a Content-Type is
   * application/octet-stream, refused), valid UTF-8, one object, valid fields. Vert.x's decoder decides what
   * parses (it accepts comments, and its messages are the ones callers have seen); ipam reads the Jackson tree.
   */
  private static <T> Future<T> parse(RoutingContext ctx, Function<ObjectNode, T> reader) {
    byte[] bytes = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    try {
      if (bytes.length > 0) {
        requireJson(ctx.request().getHeader("Content-Type"));
      }
      String text = utf8(bytes);
      if (text.isBlank()) {
        throw new IpamInputException(602, "body in body is required");
      }
      Object v = io.vertx.core.json.Json.decodeValue(text);
      if (!(v instanceof JsonObject j)) {
        throw IpamInputException.unparsable("the body is not a JSON object");
      }
      return Future.succeededFuture(reader.apply(Json.MAPPER.valueToTree(j.getMap())));
    } catch (DecodeException e) {
      return Future.failedFuture(IpamInputException.unparsable(e.getMessage()));
    } catch (IpamInputException e) {
      return Future.failedFuture(e);
    }
  }

  private static void requireJson(String contentType) {
    String media = contentType == null ? "application/octet-stream" : contentType;
    int semi = media.indexOf(';');
    String bare = (semi < 0 ? media : media.substring(0, semi)).trim();
    if (!bare.equalsIgnoreCase("application/json")) {
      throw IpamInputException.unsupportedMediaType(media);
    }
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw IpamInputException.unparsable("the body is not valid UTF-8");
    }
  }

  private static void empty(RoutingContext ctx, Future<Void> f) {
    f.onSuccess(v -> ctx.response().setStatusCode(200).end()).onFailure(e -> fail(ctx, e));
  }

  private static void fail(RoutingContext ctx, Throwable e) {
    if (e instanceof IpamInputException bad) {
      ctx.response().setStatusCode(bad.status()).putHeader("Content-Type", "application/json")
          .end(Json.write(bad.toJson()));
      return;
    }
    String msg = e.getMessage();
    if (!(e instanceof IpamException)) {
      // Not one of the agent's answers (the database, the cluster): the details are for the log.
      LOG.warn("IPAM request {} {} failed", ctx.request().method(), ctx.request().path(), e);
      msg = "the IPAM server could not serve the request, retry";
    }
    ctx.response().setStatusCode(500).putHeader("Content-Type", "application/json").end(Json.write(Json.MAPPER.getNodeFactory().textNode(msg)));
  }
}
