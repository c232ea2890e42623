package io.ippool.store.allocation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.iprange.Cidr;
import io.ippool.spiderpool.Spiderpool;
import io.ippool.api.Json;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The reads pool admission makes, in the caller's transaction. */
public final class PoolLookups {
  /** Pools whose subnet overlaps $1; the literal kind matches resources_pool_subnet's predicate, so it is used. */
  private static final String OVERLAPPING = "SELECT body FROM resources WHERE resource = '" + Spiderpool.POOLS + "'"
      + " AND (body -> 'spec' ->> 'subnet')::cidr && $1::text::cidr ORDER BY name";
  private static final String ALLOCATED_IN_POOL = """
      SELECT host(address) AS ip, pod_namespace, pod_name FROM ipam_allocations WHERE pool = $1
       ORDER BY family, address_num""";

  private PoolLookups() {
  }

  public static Future<List<ObjectNode>> overlapping(SqlClient client, Cidr subnet) {
    return client.preparedQuery(OVERLAPPING).execute(Tuple.of(subnet.canonical())).map(rows -> {
      List<ObjectNode> out = new ArrayList<>();
      for (Row r : rows) {
        Object v = r.getValue("body");
        out.add(Json.readObject(v instanceof JsonObject j ? j.encode() : String.valueOf(v)));
      }
      return out;
    });
  }

  /** Address -> "namespace/name" of every allocation of a pool, in address order. */
  public static Future<Map<String, String>> allocatedIpToPod(SqlClient client, String pool) {
    return client.preparedQuery(ALLOCATED_IN_POOL).execute(Tuple.of(pool)).map(rows -> {
      Map<String, String> out = new LinkedHashMap<>();
      for (Row r : rows) {
        out.put(r.getString("ip"), r.getString("pod_namespace") + "/" + r.getString("pod_name"));
      }
      return out;
    });
  }
}
