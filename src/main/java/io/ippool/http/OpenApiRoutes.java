package io.ippool.http;

import io.ippool.schema.OpenApiV3;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * /openapi/v3 and its group-version document, with kube-openapi's hash-addressed caching: a request with
 * the current hash is immutable; an outdated hash is redirected to the current one. /openapi/v2 is 404
 * (kubectl and the aggregator fall back correctly).
 */
public final class OpenApiRoutes implements OpenApiEndpoint {
  private static final String GV = "/openapi/v3/" + OpenApiV3.GV_PATH;
  private final OpenApiV3 doc = OpenApiV3.get();

  @Override
  public void mount(Router router) {
    router.get("/openapi/v3").handler(ctx -> Responses.json(ctx, 200, doc.rootDocument()));
    router.get(GV).handler(this::groupVersion);
  }

  private void groupVersion(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    if (accept != null && !accept.isBlank() && !accept.contains("application/json") && !accept.contains("*/*")) {
      throw io.ippool.errors.ApiException.notAcceptable("only the following media types are accepted: "
          + "application/json");
    }
    String hash = ctx.request().getParam("hash");
    if (hash != null && !hash.equals(doc.hash())) {
      ctx.response().setStatusCode(301).putHeader("Location", GV + "?hash=" + doc.hash()).end();
      return;
    }
    var r = ctx.response().putHeader("Content-Type", "application/json").putHeader("Etag", "\"" + doc.hash() + "\"")
        .putHeader("Vary", "Accept");
    if (hash != null) {
      r.putHeader("Cache-Control", "public, immutable").putHeader("Expires",
          DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusYears(1)));
    }
    r.end(doc.gvJson());
  }
}
