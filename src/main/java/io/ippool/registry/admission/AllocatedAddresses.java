package io.ippool.registry.admission;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.Map;

/** The addresses of a pool that pods hold now: canonical IP text to "namespace/pod". */
@FunctionalInterface
public interface AllocatedAddresses {
  Future<Map<String, String>> of(SqlClient client, String pool);

  AllocatedAddresses NONE = (client, pool) -> Future.succeededFuture(Map.of());
}
