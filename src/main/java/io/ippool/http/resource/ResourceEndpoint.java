package io.ippool.http.resource;

import io.ippool.api.ResourceKind;
import io.ippool.errors.ApiException;
import io.ippool.http.RequestInfo;
import io.ippool.registry.KindDefinition;
import io.ippool.registry.ResourceRegistry;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/** Routes resource requests of our group to the verb handlers, with kube-apiserver's 404/405 rules. */
public final class ResourceEndpoint {
  private final Kinds kinds;
  private final ReadHandlers reads;
  private final WriteHandlers writes;
  private final WatchHandler watches;

  public ResourceEndpoint(Kinds kinds, ResourceRegistry registry, WatchHandler watches) {
    this.kinds = kinds;
    this.reads = new ReadHandlers(registry.store());
    this.writes = new WriteHandlers(registry, new ServerSideApply(registry));
    this.watches = watches;
  }

  public Future<Void> handle(RoutingContext ctx, RequestInfo ri) {
    if (!kinds.group().equals(ri.apiGroup()) || !kinds.version().equals(ri.apiVersion())) {
      throw ApiException.pageNotFound();
    }
    KindDefinition def = kinds.byPlural(ri.resource());
    if (def == null) {
      throw ApiException.pageNotFound();
    }
    ResourceKind kind = def.kind();
    if (!kind.namespaced() && !ri.namespace().isEmpty()) {
      throw ApiException.pageNotFound();
    }
    boolean item = !ri.name().isEmpty();
    if (kind.namespaced() && ri.namespace().isEmpty() && (item || ri.verb().equals("create"))) {
      throw ApiException.pageNotFound();
    }
    if (!ri.subresource().isEmpty()) {
      if (!ri.subresource().equals("status") || !kind.hasStatusSubresource()) {
        throw ApiException.pageNotFound();
      }
      if (!ri.verb().equals("get") && !ri.verb().equals("update") && !ri.verb().equals("patch")) {
        throw ApiException.methodNotAllowed(ri.verb(), kind.group(), kind.plural());
      }
    }
    return switch (ri.verb()) {
      case "get" -> reads.get(ctx, ri, def);
      case "list" -> reads.list(ctx, ri, def);
      case "watch" -> watches.watch(ctx, ri, def);
      case "create" -> item ? Future.failedFuture(ApiException.methodNotAllowed("POST", kind.group(), kind.plural()))
          : writes.create(ctx, ri, def);
      case "update" -> writes.update(ctx, ri, def);
      case "patch" -> writes.patch(ctx, ri, def);
      case "delete" -> writes.delete(ctx, ri, def);
      case "deletecollection" -> writes.deleteCollection(ctx, ri, def);
      default -> Future.failedFuture(ApiException.methodNotAllowed(ri.verb(), kind.group(), kind.plural()));
    };
  }
}
