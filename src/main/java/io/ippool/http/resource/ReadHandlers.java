package io.ippool.http.resource;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.errors.ApiException;
import io.ippool.http.Negotiation;
import io.ippool.http.QueryFlags;
import io.ippool.http.RequestInfo;
import io.ippool.http.Responses;
import io.ippool.registry.KindDefinition;
import io.ippool.registry.selector.FieldSelector;
import io.ippool.registry.selector.LabelSelector;
import io.ippool.store.ObjectKey;
import io.ippool.store.Page;
import io.ippool.store.ResourceStore;
import io.ippool.store.Revisions;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/** get and list, with kube-apiserver's resourceVersion and paging semantics. */
final class ReadHandlers {
  private final ResourceStore store;

  ReadHandlers(ResourceStore store) {
    this.store = store;
  }

  Future<Void> get(RoutingContext ctx, RequestInfo ri, KindDefinition def) {
    Negotiation.Choice choice = Negotiation.negotiate(ctx.request().getHeader("Accept"), false);
    validateIncludeObject(ctx);
    parseResourceVersion(ctx.request().getParam("resourceVersion"));
    return store.get(new ObjectKey(def.kind(), ri.namespace(), ri.name()))
        .map(obj -> {
          Rendering.object(ctx, 200, choice, def, obj);
          return null;
        });
  }

  /** Parsed and validated list query. */
  record ListQuery(LabelSelector labels, FieldSelector fields, int limit, ContinueToken cont, Long exactRevision) {
    boolean matches(ObjectNode obj) {
      return labels.matches(obj.path("metadata").get("labels")) && fields.matches(obj);
    }

    boolean hasSelectors() {
      return !labels.isEmpty() || fields != FieldSelector.EVERYTHING;
    }
  }

  static ListQuery listQuery(RoutingContext ctx, KindDefinition def, boolean watch) {
    LabelSelector labels;
    FieldSelector fields;
    try {
      labels = LabelSelector.parse(ctx.request().getParam("labelSelector"));
      fields = FieldSelector.parse(ctx.request().getParam("fieldSelector"), def.kind().namespaced());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    String rv = ctx.request().getParam("resourceVersion");
    String match = ctx.request().getParam("resourceVersionMatch");
    String cont = ctx.request().getParam("continue");
    String limitParam = ctx.request().getParam("limit");
    List<FieldError> errs = new ArrayList<>();
    if (match != null && !match.isEmpty() && !watch) { // watch validates its own (sendInitialEvents) rules
      if (rv == null || rv.isEmpty()) {
        errs.add(FieldError.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless "
            + "resourceVersion is provided"));
      }
      if (cont != null && !cont.isEmpty()) {
        errs.add(FieldError.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue "
            + "is provided"));
      }
      if (!match.equals("Exact") && !match.equals("NotOlderThan")) {
        errs.add(FieldError.notSupported("resourceVersionMatch", match, List.of("Exact", "NotOlderThan")));
      }
      if (match.equals("Exact") && "0".equals(rv)) {
        errs.add(FieldError.forbidden("resourceVersionMatch", "resourceVersionMatch \"exact\" is forbidden for "
            + "resourceVersion \"0\""));
      }
    }
    if (!watch && QueryFlags.isTrue(ctx.request().getParam("sendInitialEvents"))) {
      errs.add(FieldError.forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"));
    }
    if (!errs.isEmpty()) {
      throw ApiException.invalid("meta.k8s.io", "ListOptions", "", errs);
    }
    int limit = 0;
    if (limitParam != null && !limitParam.isEmpty()) {
      try {
        limit = (int) Math.min(Long.parseLong(limitParam), Integer.MAX_VALUE);
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid limit: " + limitParam);
      }
      limit = Math.max(limit, 0);
    }
    Long rvNum = parseResourceVersion(rv);
    ContinueToken token = null;
    if (cont != null && !cont.isEmpty()) {
      if (rvNum != null && rvNum != 0) {
        throw ApiException.badRequest("specifying resource version is not allowed when using continue");
      }
      token = ContinueToken.decode(cont);
    }
    Long exact = null;
    if (rvNum != null && rvNum > 0 && ("Exact".equals(match) || ((match == null || match.isEmpty()) && limit > 0))) {
      exact = rvNum;
    }
    return new ListQuery(labels, fields, limit, token, exact);
  }

  Future<Void> list(RoutingContext ctx, RequestInfo ri, KindDefinition def) {
    Negotiation.Choice choice = Negotiation.negotiate(ctx.request().getHeader("Accept"), true);
    validateIncludeObject(ctx);
    ListQuery q = listQuery(ctx, def, false);
    String ns = def.kind().namespaced() && !ri.namespace().isEmpty() ? ri.namespace() : null;
    if (!def.kind().namespaced()) {
      ns = "";
    }
    Long at = q.cont() != null ? Long.valueOf(q.cont().resourceVersion()) : q.exactRevision();
    String afterNs = q.cont() == null ? "" : q.cont().namespace();
    String afterName = q.cont() == null ? "" : q.cont().name();
    String namespace = ns;
    Future<Void> tooLarge = at == null ? Future.succeededFuture() : Revisions.current(store.pool()).compose(cur ->
        at > cur ? Future.failedFuture(tooLargeResourceVersion(at, cur)) : Future.succeededFuture());
    return tooLarge.compose(v -> store.list(def.kind(), namespace, at, afterNs, afterName, q.limit(), q::matches))
        .recover(err -> {
          if (q.cont() != null && err instanceof ApiException e && e.code() == 410) {
            return Future.failedFuture(expiredContinue(q.cont()));
          }
          return Future.failedFuture(err);
        })
        .map(page -> {
          Rendering.list(ctx, choice, def, page.items(), listMeta(page, q));
          return null;
        });
  }

  private static ObjectNode listMeta(Page page, ListQuery q) {
    ObjectNode m = Responses.F.objectNode();
    m.put("resourceVersion", Long.toString(page.resourceVersion()));
    if (page.more()) {
      m.put("continue", new ContinueToken(page.resourceVersion(), page.lastNamespace(), page.lastName()).encode());
    }
    return m;
  }

  private static ApiException expiredContinue(ContinueToken t) {
    String fresh = new ContinueToken(-1, t.namespace(), t.name()).encode();
    return new ApiException(410, "Expired", "The provided continue parameter is too old to display a consistent "
        + "list result. You can start a new list without the continue parameter, or use the continue token in this "
        + "response to retrieve the remainder of the results. Continuing with the provided token results in an "
        + "inconsistent list - objects that were created, modified, or deleted between the time the first chunk "
        + "was returned and now may show up in the list. (continue: " + fresh + ")", ApiException.Details.none());
  }

  static ApiException tooLargeResourceVersion(long requested, long current) {
    return new ApiException(504, "Timeout", "Timeout: Too large resource version: " + requested + ", current: "
        + current, new ApiException.Details(null, null, null, List.of(new FieldError(
        FieldError.Type.RESOURCE_VERSION_TOO_LARGE, "", null, "Too large resource version"))), 1);
  }

  static Long parseResourceVersion(String rv) {
    if (rv == null || rv.isEmpty()) {
      return null;
    }
    try {
      long v = Long.parseUnsignedLong(rv);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid resource version: " + rv);
    }
  }

  static void validateIncludeObject(RoutingContext ctx) {
    String v = ctx.request().getParam("includeObject");
    if (v != null && !v.isEmpty() && !List.of("None", "Metadata", "Object").contains(v)) {
      throw ApiException.badRequest("Unable to convert to Table as requested: includeObject: Invalid value: \""
          + v + "\": must be 'Metadata', 'Object', 'None', or empty");
    }
  }
}
