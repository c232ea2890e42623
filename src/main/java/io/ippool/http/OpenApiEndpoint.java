package io.ippool.http;

import io.vertx.ext.web.Router;

/** Serves /openapi/v3 (root and group-version document). */
public interface OpenApiEndpoint {
  void mount(Router router);
}
