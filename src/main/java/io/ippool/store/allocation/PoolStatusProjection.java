package io.ippool.store.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.store.StatusProjection;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SpiderIPPool status computed from the allocator's tables, for any number of pools in one query:
 * <ul>
 *   <li>{@code allocatedIPs}: the JSON text Go's json.Marshal gives for map[ip]{pod, podUid}: keys sorted
 *       bytewise (so "10.0.0.10" before "10.0.0.2"), no spaces; absent when there are no allocations;</li>
 *   <li>{@code allocatedIPCount}: number of allocations (0 when none);</li>
 *   <li>{@code totalIPCount}: size of ips minus excludeIPs, capped at 2^63-1.</li>
 * </ul>
 */
public final class PoolStatusProjection implements StatusProjection {
  private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  /** Built in SQL: shipping every allocation row to Java to concatenate it there costs more than the text. */
  static final String STATUS = """
      SELECT n.name, p.total_ips::text AS total, coalesce(a.cnt, 0) AS cnt, a.ips
        FROM unnest($1::text[]) AS n(name)
        LEFT JOIN ipam_pools p ON p.pool = n.name
        LEFT JOIN LATERAL (
             SELECT count(*) AS cnt,
                    '{' || string_agg(to_json(host(x.address))::text || ':{"pod":'
                          || to_json(x.pod_namespace || '/' || x.pod_name)::text || ',"podUid":'
                          || to_json(x.pod_uid)::text || '}', ',' ORDER BY host(x.address) COLLATE "C") || '}'
                    AS ips
               FROM ipam_allocations x WHERE x.pool = n.name) a ON true""";

  @Override
  public Future<Void> project(SqlClient client, List<ObjectNode> objects) {
    if (objects.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] names = objects.stream().map(PoolSpecs::name).distinct().toArray(String[]::new);
    return client.preparedQuery(STATUS).execute(Tuple.of((Object) names)).map(rows -> {
      Map<String, Row> byName = new HashMap<>();
      for (Row r : rows) {
        byName.put(r.getString("name"), r);
      }
      for (ObjectNode o : objects) {
        apply(o, byName.get(PoolSpecs.name(o)));
      }
      return null;
    });
  }

  private static void apply(ObjectNode pool, Row r) {
    JsonNode existing = pool.get("status");
    ObjectNode status = existing instanceof ObjectNode s ? s : pool.putObject("status");
    status.remove("allocatedIPs");
    long count = r == null ? 0 : r.getLong("cnt");
    if (count > 0) {
      status.put("allocatedIPs", r.getString("ips"));
    }
    status.put("allocatedIPCount", count);
    String total = r == null ? null : r.getString("total");
    if (total != null) {
      status.put("totalIPCount", new BigInteger(total).min(INT64_MAX).longValue());
    }
  }
}
