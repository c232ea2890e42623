package io.ippool.http;

import io.ippool.api.ResourceKind;
import io.ippool.auth.Authorizer;
import io.ippool.auth.AuthRequest;
import io.ippool.auth.Authenticator;
import io.ippool.auth.IpamAccess;
import io.ippool.auth.UserInfo;
import io.ippool.errors.ApiException;
import io.ippool.store.Database;
import io.ippool.http.discovery.DiscoveryDocuments;
import io.ippool.http.resource.ResourceEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface: health, discovery, OpenAPI and resources, behind authentication and authorization.
 * Failures of any handler become a Status here and nowhere else.
 */
public final class ApiRouter {
  private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);
  private static final Set<String> ANONYMOUS_PATHS = Set.of("/healthz", "/livez", "/readyz", "/version");
  /** Paths of the node API (allocation): only node identities may call them, and they need the database. */
  private final String nodeApiPrefix;

  private final Vertx vertx;
  private final DiscoveryDocuments discovery;
  private final ResourceEndpoint resources;
  private final Health health;
  private final Authorizer authorizer;
  private final Authenticator authenticator;
  private final OpenApiEndpoint openApi;
  private final Consumer<Router> extraRoutes;
  private final IpamAccess ipamAccess;

  public ApiRouter(Vertx vertx, DiscoveryDocuments discovery, ResourceEndpoint resources, Health health,
                   Authenticator authenticator, Authorizer authorizer, OpenApiEndpoint openApi,
                   String nodeApiPrefix, IpamAccess ipamAccess, Consumer<Router> extraRoutes) {
    this.ipamAccess = ipamAccess;
    this.authenticator = authenticator;
    this.nodeApiPrefix = nodeApiPrefix;
    this.vertx = vertx;
    this.discovery = discovery;
    this.resources = resources;
    this.health = health;
    this.authorizer = authorizer;
    this.openApi = openApi;
    this.extraRoutes = extraRoutes;
  }

  public Router build() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(Bodies.MAX_BODY_BYTES));
    router.route().handler(this::authenticate);
    router.get("/healthz").handler(health::readyz);
    router.get("/readyz").handler(health::readyz);
    router.get("/livez").handler(health::livez);
    router.route().handler(this::requireReady);
    router.route().handler(this::authorize);
    router.get("/version").handler(ctx -> Responses.json(ctx, 200, discovery.version()));
    router.get("/api").handler(ctx -> Responses.json(ctx, 200, discovery.apiVersions()));
    router.get("/apis").handler(this::apis);
    router.get("/apis/" + discovery.group()).handler(ctx -> Responses.json(ctx, 200, discovery.apiGroup()));
    router.get("/apis/" + discovery.groupVersion()).handler(ctx -> {
      Negotiation.negotiate(ctx.request().getHeader("Accept"), false);
      Responses.json(ctx, 200, discovery.apiResourceList());
    });
    openApi.mount(router);
    extraRoutes.accept(router);
    router.route("/apis/*").handler(this::resource);
    router.route().handler(ctx -> ctx.fail(ApiException.pageNotFound()));
    router.route().failureHandler(this::failure);
    return router;
  }

  private void apis(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    String v2 = aggregatedVersion(accept);
    if (v2 != null) {
      Responses.json(ctx, 200, discovery.aggregated(v2),
          "application/json;g=apidiscovery.k8s.io;v=" + v2 + ";as=APIGroupDiscoveryList");
    } else {
      Responses.json(ctx, 200, discovery.apiGroupList());
    }
    ctx.response().headers().add("Vary", "Accept");
  }

  /** The first Accept clause asking for aggregated discovery decides v2 or v2beta1. */
  static String aggregatedVersion(String accept) {
    if (accept == null) {
      return null;
    }
    for (String clause : accept.split(",")) {
      String c = clause.replace(" ", "");
      if (c.contains("as=APIGroupDiscoveryList") && c.contains("g=apidiscovery.k8s.io")) {
        if (c.contains("v=v2beta1")) {
          return "v2beta1";
        }
        if (c.contains("v=v2")) {
          return "v2";
        }
      }
    }
    return null;
  }

  /** Discovery and OpenAPI are static documents; only what reads or writes the database waits for it. */
  private void requireReady(RoutingContext ctx) {
    String why = health.notReadyReason();
    String path = ctx.normalizedPath();
    boolean needsDatabase = path.startsWith(nodeApiPrefix) || path.equals("/metrics")
        || requestInfo(ctx).resourceRequest();
    if (why != null && needsDatabase) {
      ctx.fail(ApiException.serviceUnavailable(why));
      return;
    }
    ctx.next();
  }

  private void authenticate(RoutingContext ctx) {
    authenticator.authenticate(AuthRequest.of(ctx.request())).onComplete(ar -> {
      if (ar.failed()) {
        LOG.debug("authentication failed: {}", ar.cause().getMessage());
        ctx.fail(ApiException.unauthorized());
        return;
      }
      UserInfo user = ar.result() == null ? UserInfo.ANONYMOUS : ar.result();
      RequestUser.set(ctx, user);
      if (user.isAnonymous() && !ANONYMOUS_PATHS.contains(ctx.normalizedPath())) {
        ctx.fail(ApiException.unauthorized());
        return;
      }
      ctx.next();
    });
  }

  private void authorize(RoutingContext ctx) {
    UserInfo user = RequestUser.of(ctx);
    if (ctx.normalizedPath().startsWith(nodeApiPrefix)) {
      // Allocation is the CNI plugin's job: node identities, node agents (each for its own node) and admins.
      IpamAccess.Decision d = ipamAccess.decide(user, ctx.request().getHeader(IpamAccess.NODE_HEADER));
      if (!d.allowed()) {
        ctx.fail(new ApiException(403, "Forbidden", "forbidden: User \"" + user.name() + "\" cannot "
            + ctx.request().method().name().toLowerCase() + " path \"" + ctx.normalizedPath() + "\": "
            + d.reason(), ApiException.Details.none()));
        return;
      }
      if (d.node() != null) {
        ctx.put(IpamAccess.CALLER_NODE, d.node());
      }
      ctx.next(); // the caller's node is the whole policy for the IPAM API
      return;
    }
    if (ipamAccess.ipamOnly(user)) {
      ctx.fail(new ApiException(403, "Forbidden", "forbidden: User \"" + user.name() + "\" cannot "
          + ctx.request().method().name().toLowerCase() + " path \"" + ctx.normalizedPath()
          + "\": a node agent may use the IPAM API (" + nodeApiPrefix + ") only", ApiException.Details.none()));
      return;
    }
    RequestInfo ri = requestInfo(ctx);
    String name = ri.name();
    if (name.isEmpty() && (ri.verb().equals("list") || ri.verb().equals("watch"))) {
      String fs = ctx.request().getParam("fieldSelector");
      if (fs != null && fs.startsWith("metadata.name=") && !fs.contains(",")) {
        name = fs.substring("metadata.name=".length());
      }
    }
    var attrs = new Authorizer.Attributes(user, ri.verb(), ri.resourceRequest(), ri.apiGroup(), ri.apiVersion(),
        ri.namespace(), ri.resource(), ri.subresource(), name, ri.path());
    authorizer.authorize(attrs).onComplete(ar -> {
      if (ar.failed()) {
        // kube-apiserver answers an authorizer that cannot decide with 500, not with a denial.
        ctx.fail(ApiException.internal("authorization failed: " + ar.cause().getMessage()));
      } else if (ar.result().allowed()) {
        ctx.next();
      } else {
        ctx.fail(forbidden(attrs, ar.result().reason()));
      }
    });
  }

  static ApiException forbidden(Authorizer.Attributes a, String reason) {
    String suffix = reason == null || reason.isEmpty() ? "" : ": " + reason;
    String who = "User \"" + a.user().name() + "\"";
    if (!a.resourceRequest()) {
      return new ApiException(403, "Forbidden", "forbidden: " + who + " cannot " + a.verb() + " path \"" + a.path()
          + "\"" + suffix, ApiException.Details.none());
    }
    String resource = a.subresource().isEmpty() ? a.resource() : a.resource() + "/" + a.subresource();
    String scope = a.namespace().isEmpty() ? "at the cluster scope" : "in the namespace \"" + a.namespace() + "\"";
    String what = a.apiGroup().isEmpty() ? a.resource() : a.resource() + "." + a.apiGroup();
    String subject = a.name().isEmpty() ? what : what + " \"" + a.name() + "\"";
    return new ApiException(403, "Forbidden", subject + " is forbidden: " + who + " cannot " + a.verb()
        + " resource \"" + resource + "\" in API group \"" + a.apiGroup() + "\" " + scope + suffix,
        new ApiException.Details(a.name().isEmpty() ? null : a.name(), a.apiGroup(), a.resource(),
            java.util.List.of()));
  }

  private static RequestInfo requestInfo(RoutingContext ctx) {
    return RequestInfo.parse(ctx.request().method().name(), ctx.normalizedPath(), ctx.request().getParam("watch"));
  }

  private void resource(RoutingContext ctx) {
    Future<Void> f;
    try {
      f = resources.handle(ctx, requestInfo(ctx));
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    f.onFailure(ctx::fail);
  }

  private void failure(RoutingContext ctx) {
    Throwable t = ctx.failure();
    ApiException e;
    if (t instanceof ApiException a) {
      e = a;
    } else if (t == null && ctx.statusCode() == 413) {
      e = ApiException.tooLarge("limit is " + Bodies.MAX_BODY_BYTES);
    } else if (t == null && ctx.statusCode() == 404) {
      e = ApiException.pageNotFound();
    } else if (t == null && ctx.statusCode() == 400) {
      e = ApiException.badRequest("malformed request");
    } else if (Database.isDatabaseFailure(t)) {
      LOG.warn("database failure on {} {}", ctx.request().method(), ctx.request().path(), t);
      e = ApiException.storageUnavailable();
    } else {
      LOG.error("internal error on {} {}", ctx.request().method(), ctx.request().path(), t);
      e = ApiException.internal(t == null ? "status " + ctx.statusCode() : String.valueOf(t.getMessage()));
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    Responses.status(ctx, e);
  }
}
