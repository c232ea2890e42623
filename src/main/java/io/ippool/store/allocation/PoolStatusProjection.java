package io.ippool.store.allocation;

import io.ippool.spiderpool.PoolSpecs;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.store.IncrementalProjection;
import io.ippool.store.StatusProjection;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * The text is built by {@code ipam_pool_status_at} (db/V4__allocation_revisions.sql), the one definition
 * used both for the current state and for watch history at a past resourceVersion.
 */
public final class PoolStatusProjection implements StatusProjection, IncrementalProjection {
  private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  /** Built in SQL: shipping every allocation row to Java to concatenate it there costs more than the text. */
  static final String STATUS = """
      SELECT n.name, p.total_ips::text AS total, s.allocated_count AS cnt, s.allocated_ips AS ips
        FROM unnest($1::text[]) AS n(name)
        LEFT JOIN ipam_pools p ON p.pool = n.name
        CROSS JOIN LATERAL ipam_pool_status_at(n.name, NULL) s""";

  /** The allocations of pool $1[i] at revision $2[i], for every i, in one round trip. */
  static final String STATUS_AT = """
      SELECT k.i, s.allocated_count AS cnt, s.allocated_ips AS ips
        FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS k(name, at, i)
        CROSS JOIN LATERAL ipam_pool_status_at(k.name, k.at) s""";

  /** The entries of pool $1[i] at revision $2, for every i. */
  static final String ENTRIES_AT = """
      SELECT n.name, x.ip, x.entry
        FROM unnest($1::text[]) AS n(name)
        CROSS JOIN LATERAL ipam_pool_entries_at(n.name, $2) x""";

  /** What the batches with a revision in ($2, $3] did to pools $1 (db/V10__incremental_pool_status.sql). */
  static final String CHANGES = """
      SELECT e.pool, e.revision, e.action = 'allocate' AS allocated, host(e.address) AS ip,
             ipam_pool_entry_text(e.address, e.pod_namespace, e.pod_name, e.pod_uid) AS entry
        FROM ipam_allocation_events e
       WHERE e.pool = ANY ($1::text[]) AND e.revision > $2 AND e.revision <= $3
       ORDER BY e.revision, e.id""";

  @Override
  public IncrementalProjection incremental() {
    return this;
  }

  @Override
  public Future<Map<String, State>> load(SqlClient client, Collection<String> names, long at) {
    return client.preparedQuery(ENTRIES_AT).execute(Tuple.of(names.toArray(String[]::new), at)).map(rows -> {
      Map<String, State> states = new HashMap<>();
      for (String n : names) {
        states.put(n, new PoolAllocations());
      }
      for (Row r : rows) {
        ((PoolAllocations) states.get(r.getString("name"))).put(r.getString("ip"), r.getString("entry"));
      }
      return states;
    });
  }

  @Override
  public Future<List<Change>> changes(SqlClient client, Collection<String> names, long after, long upTo) {
    return client.preparedQuery(CHANGES).execute(Tuple.of(names.toArray(String[]::new), after, upTo)).map(rows -> {
      List<Change> changes = new ArrayList<>(rows.size());
      for (Row r : rows) {
        changes.add(new PoolAllocations.AllocationChange(r.getString("pool"), r.getLong("revision"),
            r.getBoolean("allocated"), r.getString("ip"), r.getString("entry")));
      }
      return changes;
    });
  }

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
        Row r = byName.get(PoolSpecs.name(o));
        setAllocations(o, r == null ? 0 : r.getLong("cnt"), r == null ? null : r.getString("ips"));
        setTotal(o, r == null ? null : r.getString("total"));
      }
      return null;
    });
  }

  @Override
  public Future<Void> projectAt(SqlClient client, List<ObjectNode> objects, List<Long> revisions) {
    // The same (pool, revision) is materialised once however many objects ask for it.
    Map<String, Integer> slot = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    List<Long> ats = new ArrayList<>();
    int[] slotOf = new int[objects.size()];
    for (int i = 0; i < objects.size(); i++) {
      String name = PoolSpecs.name(objects.get(i));
      long at = revisions.get(i);
      slotOf[i] = slot.computeIfAbsent(at + "/" + name, k -> {
        names.add(name);
        ats.add(at);
        return names.size() - 1;
      });
    }
    if (names.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple t = Tuple.tuple().addArrayOfString(names.toArray(String[]::new)).addArrayOfLong(ats.toArray(Long[]::new));
    return client.preparedQuery(STATUS_AT).execute(t).map(rows -> {
      long[] counts = new long[names.size()];
      String[] ips = new String[names.size()];
      for (Row r : rows) {
        int k = r.getLong("i").intValue() - 1;
        counts[k] = r.getLong("cnt");
        ips[k] = r.getString("ips");
      }
      for (int i = 0; i < objects.size(); i++) {
        setAllocations(objects.get(i), counts[slotOf[i]], ips[slotOf[i]]);
      }
      return null;
    });
  }

  /** Keeps the field order of a fresh projection (allocatedIPs, allocatedIPCount, totalIPCount). */
  static void setAllocations(ObjectNode pool, long count, String ips) {
    ObjectNode status = status(pool);
    status.remove("allocatedIPs");
    status.remove("allocatedIPCount");
    JsonNode total = status.remove("totalIPCount");
    if (count > 0 && ips != null) {
      status.put("allocatedIPs", ips);
    }
    status.put("allocatedIPCount", count);
    if (total != null) {
      status.set("totalIPCount", total);
    }
  }

  private static void setTotal(ObjectNode pool, String total) {
    if (total != null) {
      status(pool).put("totalIPCount", new BigInteger(total).min(INT64_MAX).longValue());
    }
  }

  private static ObjectNode status(ObjectNode pool) {
    JsonNode existing = pool.get("status");
    return existing instanceof ObjectNode s ? s : pool.putObject("status");
  }
}
