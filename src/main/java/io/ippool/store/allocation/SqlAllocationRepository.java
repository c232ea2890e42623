package io.ippool.store.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.ippool.ipam.AllocationRepository;
import io.ippool.spiderpool.Allocation;
import io.ippool.spiderpool.PoolCatalogEntry;
import io.ippool.spiderpool.Release;
import io.ippool.spiderpool.Spiderpool;
import io.ippool.spiderpool.StoredPool;
import io.ippool.api.Json;
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

/**
 * The allocator's statements, one round trip each. The batch request and answer travel to
 * {@code ipam_allocate_batch} as JSON (db/V6__allocation_in_one_statement.sql documents both); this class is the
 * only one that knows that shape.
 */
public final class SqlAllocationRepository implements AllocationRepository {


  // Locks pools in name order with their allocator rows (the documented lock order in db/V2__allocator.sql).
  private static final String LOCK_POOLS = """
      SELECT r.name, r.body::text AS body, r.deleting, p.family, p.prefix_length, NULL AS fingerprint
        FROM resources r JOIN ipam_pools p ON p.pool = r.name
       WHERE r.resource = '%s' AND r.namespace = '' AND r.name = ANY($1)
       ORDER BY r.name
         FOR UPDATE OF r, p""".formatted(Spiderpool.POOLS);
  // Pools that can allocate (they have allocator state), read without locks to plan a batch.
  private static final String POOLS_TO_PLAN = """
      SELECT r.name, r.body::text AS body, r.deleting, p.family, p.prefix_length,
             ipam_pool_fingerprint(r.body) AS fingerprint
        FROM resources r JOIN ipam_pools p ON p.pool = r.name
       WHERE r.resource = '%s' AND r.namespace = '' AND r.name = ANY($1)""".formatted(Spiderpool.POOLS);
  private static final String POOL_BODIES = """
      SELECT r.name, r.body::text AS body, r.deleting, coalesce(p.family, 0) AS family,
             coalesce(p.prefix_length, 0) AS prefix_length, NULL AS fingerprint
        FROM resources r LEFT JOIN ipam_pools p ON p.pool = r.name
       WHERE r.resource = '%s' AND r.namespace = '' AND r.name = ANY($1)""".formatted(Spiderpool.POOLS);
  private static final String CATALOG = """
      SELECT r.name, coalesce(p.family, 0) AS family, coalesce(r.body->'spec'->>'default', 'false') = 'true' AS dflt
        FROM resources r LEFT JOIN ipam_pools p ON p.pool = r.name
       WHERE r.resource = '%s' AND r.namespace = ''
       ORDER BY r.name""".formatted(Spiderpool.POOLS);
  private static final String BY_CONTAINER_OF_POD = """
      SELECT container_id, if_name, family, address_num::text AS address_num, pool
        FROM ipam_allocations WHERE container_id = $1 AND pod_uid = $2
       ORDER BY if_name, family""";
  private static final String ALLOCATE_BATCH = "SELECT ipam_allocate_recorded($1::text::jsonb)::text";
  private static final String RELEASE_BATCH = "SELECT ipam_release_recorded($1::text[], $2::text[], $3::text[], "
      + "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[])";
  private static final String STS_ADOPT = "SELECT ipam_sts_adopt($1, $2, $3, $4, $5, $6::text[])";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Pool db;

  public SqlAllocationRepository(Pool db) {
    this.db = db;
  }

  @Override
  public Future<Void> ping() {
    return db.query("SELECT 1").execute().mapEmpty();
  }

  /** Locks the named pools (those that exist and have allocator state), in name order. */
  public static Future<Map<String, StoredPool>> lockPools(SqlClient tx, Collection<String> names) {
    String[] sorted = new TreeSet<>(names).toArray(String[]::new);
    return tx.preparedQuery(LOCK_POOLS).execute(Tuple.of((Object) sorted)).map(SqlAllocationRepository::pools);
  }

  @Override
  public Future<Map<String, StoredPool>> poolsToPlan(Collection<String> names) {
    String[] arr = new TreeSet<>(names).toArray(String[]::new);
    return db.preparedQuery(POOLS_TO_PLAN).execute(Tuple.of((Object) arr)).map(SqlAllocationRepository::pools);
  }

  @Override
  public Future<Map<String, StoredPool>> readPools(Collection<String> names) {
    if (names.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    String[] arr = new TreeSet<>(names).toArray(String[]::new);
    return db.preparedQuery(POOL_BODIES).execute(Tuple.of((Object) arr)).map(SqlAllocationRepository::pools);
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

  @Override
  public Future<List<PoolCatalogEntry>> catalog() {
    return db.preparedQuery(CATALOG).execute().map(rows -> {
      List<PoolCatalogEntry> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new PoolCatalogEntry(r.getString("name"), r.getInteger("family"), r.getBoolean("dflt")));
      }
      return out;
    });
  }

  @Override
  public Future<List<Allocation>> byContainerOfPod(String containerId, String podUid) {
    return db.preparedQuery(BY_CONTAINER_OF_POD).execute(Tuple.of(containerId, podUid)).map(rows -> {
      List<Allocation> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new Allocation(r.getString("container_id"), r.getString("if_name"), r.getInteger("family"),
            new BigInteger(r.getString("address_num")), r.getString("pool")));
      }
      return out;
    });
  }

  /**
   * One allocation batch as one autocommit statement. Not for use inside a transaction: the statement is the
   * transaction, so its locks last only as long as it does.
   */
  @Override
  public Future<BatchAnswer> allocate(BatchRequest request) {
    return db.preparedQuery(ALLOCATE_BATCH).execute(Tuple.of(Json.write(toJson(request))))
        .map(rows -> answer(request, Json.readObject(rows.iterator().next().getString(0))));
  }

  private static ObjectNode toJson(BatchRequest request) {
    ObjectNode req = NODES.objectNode();
    ObjectNode fingerprints = req.putObject("pools");
    request.fingerprints().forEach(fingerprints::put);
    req.put("maxAllocated", request.maxAllocated());
    ArrayNode arr = req.putArray("jobs");
    for (JobRequest job : request.jobs()) {
      ObjectNode j = arr.addObject();
      j.put("container", job.container());
      j.put("ifName", job.ifName());
      j.put("namespace", job.namespace());
      j.put("pod", job.pod());
      j.put("uid", job.uid());
      j.put("node", job.node());
      j.put("ownerType", job.ownerType());
      j.put("ownerName", job.ownerName());
      ArrayNode entries = j.putArray("entries");
      for (EntryRequest e : job.entries()) {
        ObjectNode en = entries.addObject();
        en.put("nic", e.nic());
        en.put("family", e.family());
        ArrayNode order = en.putArray("pools");
        e.pools().forEach(order::add);
      }
    }
    return req;
  }

  private static BatchAnswer answer(BatchRequest request, JsonNode answer) {
    if (answer.path("stale").asBoolean()) {
      return new BatchAnswer(true, List.of());
    }
    JsonNode answers = answer.path("jobs");
    List<JobAnswer> out = new ArrayList<>();
    for (int i = 0; i < request.jobs().size(); i++) {
      JobRequest job = request.jobs().get(i);
      JsonNode a = answers.get(i);
      if (a.has("conflict")) {
        JsonNode holder = a.get("conflict");
        out.add(new JobAnswer(null, List.of(), new PodHolder(holder.path("namespace").asText(),
            holder.path("pod").asText(), holder.path("uid").asText())));
        continue;
      }
      if (a.has("existing")) {
        List<Allocation> existing = new ArrayList<>();
        for (JsonNode e : a.get("existing")) {
          existing.add(new Allocation(job.container(), e.get("ifName").asText(), e.get("family").asInt(),
              new BigInteger(e.get("address").asText()), e.get("pool").asText()));
        }
        out.add(new JobAnswer(existing, List.of(), null));
        continue;
      }
      List<EntryAnswer> entries = new ArrayList<>();
      JsonNode got = a.path("entries");
      for (int k = 0; k < got.size(); k++) {
        EntryRequest e = job.entries().get(k);
        JsonNode g = got.get(k);
        if (g.has("reasons")) {
          List<String> reasons = new ArrayList<>();
          g.get("reasons").forEach(r -> reasons.add(r.asText()));
          entries.add(new EntryAnswer(null, reasons));
          break;
        }
        entries.add(new EntryAnswer(new Allocation(job.container(), e.nic(), e.family(),
            new BigInteger(g.get("address").asText()), g.get("pool").asText()), null));
      }
      out.add(new JobAnswer(null, entries, null));
    }
    return new BatchAnswer(false, out);
  }


  /**
   * Releases a batch of DELs as one statement ({@code ipam_release_batch}, db/V7__release_in_one_statement.sql
   * says which rows each kind takes). Answers how many addresses were released; unknown containers and pods
   * release nothing.
   */
  @Override
  public Future<Integer> release(List<Release> releases) {
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
    return db.preparedQuery(RELEASE_BATCH).execute(t).map(rows -> rows.iterator().next().getInteger(0));
  }

  @Override
  public Future<Integer> adoptStatefulSetAddresses(String namespace, String pod, String uid, String container,
                                                   String node, Collection<String> keepPools) {
    return db.preparedQuery(STS_ADOPT).execute(Tuple.of(namespace, pod, uid, container, node == null ? "" : node,
        keepPools.toArray(String[]::new))).map(rows -> rows.iterator().next().getInteger(0));
  }

  @Override
  public boolean isRejection(Throwable failure) {
    return failure instanceof io.vertx.pgclient.PgException;
  }

  private static String[] column(List<Release> releases, Function<Release, String> field) {
    return releases.stream().map(r -> {
      String v = field.apply(r);
      return v == null ? "" : v;
    }).toArray(String[]::new);
  }

}
