package io.ippool.store.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.store.Json;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/** The allocator's statements. Each method is one round trip; the caller owns the transaction. */
public final class AllocationStore {

  /**
   * A pool as stored: its body, allocator shape and {@code ipam_pool_fingerprint} (null where not read), which
   * {@link #allocateBatch} compares to make sure the pool is still the one the caller planned with.
   */
  public record StoredPool(String name, ObjectNode body, boolean deleting, int family, int prefixLength,
                           String fingerprint) {
  }

  /** One allocation row. */
  public record Allocation(String containerId, String ifName, int family, BigInteger address, String pool) {
  }

  /** Pool summary for candidate selection (spec.default, wildcards). */
  public record CatalogEntry(String name, int family, boolean isDefault) {
  }

  // Locks pools in name order with their allocator rows (the documented lock order in db/V2__allocator.sql).
  private static final String LOCK_POOLS = """
      SELECT r.name, r.body::text AS body, r.deleting, p.family, p.prefix_length, NULL AS fingerprint
        FROM resources r JOIN ipam_pools p ON p.pool = r.name
       WHERE r.resource = 'spiderippools' AND r.namespace = '' AND r.name = ANY($1)
       ORDER BY r.name
         FOR UPDATE OF r, p""";
  // Pools that can allocate (they have allocator state), read without locks to plan a batch.
  private static final String POOLS_TO_PLAN = """
      SELECT r.name, r.body::text AS body, r.deleting, p.family, p.prefix_length,
             ipam_pool_fingerprint(r.body) AS fingerprint
        FROM resources r JOIN ipam_pools p ON p.pool = r.name
       WHERE r.resource = 'spiderippools' AND r.namespace = '' AND r.name = ANY($1)""";
  private static final String POOL_BODIES = """
      SELECT r.name, r.body::text AS body, r.deleting, coalesce(p.family, 0) AS family,
             coalesce(p.prefix_length, 0) AS prefix_length, NULL AS fingerprint
        FROM resources r LEFT JOIN ipam_pools p ON p.pool = r.name
       WHERE r.resource = 'spiderippools' AND r.namespace = '' AND r.name = ANY($1)""";
  private static final String CATALOG = """
      SELECT r.name, coalesce(p.family, 0) AS family, coalesce(r.body->'spec'->>'default', 'false') = 'true' AS dflt
        FROM resources r LEFT JOIN ipam_pools p ON p.pool = r.name
       WHERE r.resource = 'spiderippools' AND r.namespace = ''
       ORDER BY r.name""";
  private static final String BY_CONTAINERS = """
      SELECT container_id, if_name, family, address_num::text AS address_num, pool
        FROM ipam_allocations WHERE container_id = ANY($1)
       ORDER BY container_id, if_name, family""";
  private static final String ALLOCATE_BATCH = "SELECT ipam_allocate_recorded($1::text::jsonb)::text";
  private static final String RELEASE_BATCH = "SELECT ipam_release_recorded($1::text[], $2::text[], $3::text[], "
      + "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[])";
  private static final String STS_ADOPT = "SELECT ipam_sts_adopt($1, $2, $3, $4, $5, $6::text[])";

  private AllocationStore() {
  }

  /** Locks the named pools (those that exist and have allocator state), in name order. */
  public static Future<Map<String, StoredPool>> lockPools(SqlClient tx, Collection<String> names) {
    String[] sorted = new TreeSet<>(names).toArray(String[]::new);
    return tx.preparedQuery(LOCK_POOLS).execute(Tuple.of((Object) sorted)).map(AllocationStore::pools);
  }

  /** Reads the pools that have allocator state, with their fingerprints, without locking. */
  public static Future<Map<String, StoredPool>> poolsToPlan(SqlClient client, Collection<String> names) {
    String[] arr = new TreeSet<>(names).toArray(String[]::new);
    return client.preparedQuery(POOLS_TO_PLAN).execute(Tuple.of((Object) arr)).map(AllocationStore::pools);
  }

  /** Reads pools without locking (for answering idempotent repeats). */
  public static Future<Map<String, StoredPool>> readPools(SqlClient client, Collection<String> names) {
    if (names.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    String[] arr = new TreeSet<>(names).toArray(String[]::new);
    return client.preparedQuery(POOL_BODIES).execute(Tuple.of((Object) arr)).map(AllocationStore::pools);
  }

  private static Map<String, StoredPool> pools(Iterable<Row> rows) {
    Map<String, StoredPool> out = new LinkedHashMap<>();
    for (Row r : rows) {
      out.put(r.getString("name"), new StoredPool(r.getString("name"), Json.readObject(r.getString("body")),
          r.getBoolean("deleting"), r.getInteger("family"), r.getInteger("prefix_length"),
          r.getString("fingerprint")));
    }
    return out;
  }

  public static Future<List<CatalogEntry>> catalog(SqlClient client) {
    return client.preparedQuery(CATALOG).execute().map(rows -> {
      List<CatalogEntry> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new CatalogEntry(r.getString("name"), r.getInteger("family"), r.getBoolean("dflt")));
      }
      return out;
    });
  }

  public static Future<List<Allocation>> byContainers(SqlClient client, Collection<String> containerIds) {
    String[] ids = new TreeSet<>(containerIds).toArray(String[]::new);
    return client.preparedQuery(BY_CONTAINERS).execute(Tuple.of((Object) ids)).map(rows -> {
      List<Allocation> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new Allocation(r.getString("container_id"), r.getString("if_name"), r.getInteger("family"),
            new BigInteger(r.getString("address_num")), r.getString("pool")));
      }
      return out;
    });
  }

  /**
   * One allocation batch as one autocommit statement ({@code ipam_allocate_batch} in
   * db/V6__allocation_in_one_statement.sql documents the request and the answer). Not for use inside a
   * transaction: the statement is the transaction, so its locks last only as long as it does.
   */
  public static Future<JsonNode> allocateBatch(Pool db, ObjectNode batch) {
    return db.preparedQuery(ALLOCATE_BATCH).execute(Tuple.of(Json.write(batch)))
        .map(rows -> (JsonNode) Json.readObject(rows.iterator().next().getString(0)));
  }

  /** One DEL of a release batch: a container's interface of a pod, or (container null) a whole pod. */
  public record Release(String containerId, String ifName, String namespace, String pod, String uid) {
  }

  /**
   * Releases a batch of DELs as one statement ({@code ipam_release_batch}, db/V7__release_in_one_statement.sql
   * says which rows each kind takes). Answers how many addresses were released; unknown containers and pods
   * release nothing.
   */
  public static Future<Integer> releaseBatch(SqlClient client, List<Release> releases) {
    List<Release> byContainer = releases.stream().filter(r -> r.containerId() != null).toList();
    List<Release> byPod = releases.stream().filter(r -> r.containerId() == null).toList();
    Tuple t = Tuple.tuple()
        .addArrayOfString(column(byContainer, Release::containerId))
        .addArrayOfString(column(byContainer, Release::ifName))
        .addArrayOfString(column(byContainer, Release::namespace))
        .addArrayOfString(column(byContainer, Release::pod))
        .addArrayOfString(column(byContainer, Release::uid))
        .addArrayOfString(column(byPod, Release::namespace))
        .addArrayOfString(column(byPod, Release::pod))
        .addArrayOfString(column(byPod, Release::uid));
    return client.preparedQuery(RELEASE_BATCH).execute(t).map(rows -> rows.iterator().next().getInteger(0));
  }

  /**
   * A re-created StatefulSet pod takes over its predecessor's addresses in the pools it may still use; the others
   * are reclaimed (ipam_sts_adopt). Answers how many addresses moved.
   */
  public static Future<Integer> adoptStatefulSetAddresses(SqlClient client, String namespace, String pod,
                                                          String uid, String container, String node,
                                                          Collection<String> keepPools) {
    return client.preparedQuery(STS_ADOPT).execute(Tuple.of(namespace, pod, uid, container, node == null ? "" : node,
        keepPools.toArray(String[]::new))).map(rows -> rows.iterator().next().getInteger(0));
  }

  private static String[] column(List<Release> releases, Function<Release, String> field) {
    return releases.stream().map(r -> {
      String v = field.apply(r);
      return v == null ? "" : v;
    }).toArray(String[]::new);
  }

}
