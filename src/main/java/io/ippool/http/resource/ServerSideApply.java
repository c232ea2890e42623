package io.ippool.http.resource;

import io.ippool.errors.ApiException;
import io.ippool.http.RequestInfo;
import io.ippool.registry.KindDefinition;
import io.ippool.registry.ResourceRegistry;
import io.ippool.registry.WriteOptions;
import io.ippool.store.WriteResult;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/** application/apply-patch+yaml (server-side apply). */
final class ServerSideApply {
  record Applied(WriteResult result, boolean created) {
  }

  private final ResourceRegistry registry;

  ServerSideApply(ResourceRegistry registry) {
    this.registry = registry;
  }

  Future<Applied> apply(RoutingContext ctx, RequestInfo ri, KindDefinition def, WriteOptions opts) {
    return Future.failedFuture(ApiException.unsupportedMediaType("the body of the request was in an unknown format "
        + "- accepted media types include: application/json-patch+json, application/merge-patch+json"));
  }
}
