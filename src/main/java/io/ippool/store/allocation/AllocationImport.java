package io.ippool.store.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.Json;
import io.ippool.iprange.Ip;
import io.ippool.iprange.RangeSet;
import io.ippool.spiderpool.StoredPool;
import io.ippool.spiderpool.PoolSpecs;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a SpiderIPPool's {@code status.allocatedIPs} (Spiderpool's JSON text map ip -> {pod, podUid}) into rows
 * of {@code ipam_allocations}, so the imported pool's projected status shows them and the allocator never
 * hands those addresses out again.
 *
 * <p>The CNI container ID of an imported address is unknown (Spiderpool keeps it nowhere in the API), so
 * {@code container_id} is {@value #CONTAINER_PREFIX} followed by the pod's UID (or namespace/name when the
 * entry has no UID). A CNI DEL naming the pod and its UID releases them (ipam_release_batch in
 * db/V7__release_in_one_statement.sql), as does a pod-wide release (DELETE /v1/ipam/ips). The interface comes
 * from the pod's SpiderEndpoint when it lists the address; otherwise it is {@code unknown:<address>}, which
 * keeps the (container_id, if_name, family) key unique for pods holding several addresses of one family.
 */
public final class AllocationImport {
  public static final String CONTAINER_PREFIX = "imported:";

  /** One allocatedIPs entry resolved against the pod's SpiderEndpoint. */
  public record Entry(String ip, Ip address, String podNamespace, String podName, String podUid, String containerId,
               String ifName, String node) {
  }

  /** What happened to one entry; {@code message} is set for FAILED. */
  public record Outcome(Entry entry, Result result, String message) {
  }

  public enum Result { IMPORTED, SKIPPED, FAILED }

  /** Inserts the rows that are new; ON CONFLICT covers both the address key and the container/interface key. */
  private static final String INSERT = """
      INSERT INTO ipam_allocations (family, address_num, address, pool, container_id, if_name, pod_namespace,
                                    pod_name, pod_uid, node_name)
      SELECT f, n::numeric, a::inet, $1, c, i, ns, nm, u, nd
        FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                    $10::text[]) AS r(f, n, a, c, i, ns, nm, u, nd)
      ON CONFLICT DO NOTHING
      RETURNING family, address_num::text AS address_num""";
  private static final String HOLDERS = """
      SELECT a.family, a.address_num::text AS address_num, a.pool, a.pod_namespace, a.pod_name, a.pod_uid
        FROM ipam_allocations a
        JOIN unnest($1::int[], $2::text[]::numeric[]) AS k(f, n) ON a.family = k.f AND a.address_num = k.n""";
  private static final String COUNT = "UPDATE ipam_pools SET allocated_count = allocated_count + $2 WHERE pool = $1";

  private AllocationImport() {
  }

  /**
   * Parses allocatedIPs; entries that cannot be read become failures in {@code bad}.
   *
   * @param endpoints the cluster's SpiderEndpoints by "namespace/name" (may be empty)
   */
  public static List<Entry> entries(ObjectNode clusterPool, Map<String, ObjectNode> endpoints, List<Outcome> bad) {
    String text = clusterPool.path("status").path("allocatedIPs").asText("");
    List<Entry> out = new ArrayList<>();
    if (text.isEmpty()) {
      return out;
    }
    ObjectNode map;
    try {
      map = Json.readObject(text);
    } catch (RuntimeException e) {
      bad.add(new Outcome(null, Result.FAILED, "status.allocatedIPs is not a JSON object: " + e.getMessage()));
      return out;
    }
    for (var it = map.fields(); it.hasNext(); ) {
      var f = it.next();
      String ip = f.getKey();
      String pod = f.getValue().path("pod").asText("");
      String uid = f.getValue().path("podUid").asText("");
      int slash = pod.indexOf('/');
      // Go's ParseIP, as Spiderpool wrote the key: IPv4-mapped text is the IPv4 address, as it is to Spiderpool.
      Ip addr = Ip.parse(ip);
      if (addr == null) {
        bad.add(new Outcome(new Entry(ip, null, "", pod, uid, "", "", ""), Result.FAILED,
            "invalid IP address \"" + ip + "\""));
        continue;
      }
      if (slash <= 0 || slash == pod.length() - 1) {
        bad.add(new Outcome(new Entry(ip, addr, "", pod, uid, "", "", ""), Result.FAILED,
            "pod \"" + pod + "\" is not namespace/name"));
        continue;
      }
      String ns = pod.substring(0, slash);
      String name = pod.substring(slash + 1);
      ObjectNode ep = endpoints.get(pod);
      JsonNode current = ep == null ? null : ep.path("status").path("current");
      if (current != null && !uid.isEmpty() && !current.path("uid").asText("").isEmpty()
          && !uid.equals(current.path("uid").asText())) {
        current = null; // the endpoint belongs to a newer pod of the same name
      }
      String ifName = current == null ? null : interfaceOf(current, addr);
      String node = current == null ? "" : current.path("node").asText("");
      out.add(new Entry(ip, addr, ns, name, uid, CONTAINER_PREFIX + (uid.isEmpty() ? pod : uid),
          ifName != null ? ifName : "unknown:" + addr, node));
    }
    return out;
  }

  /** The interface of the endpoint's entry whose ipv4 or ipv6 (CIDR notation) is {@code addr}. */
  private static String interfaceOf(JsonNode current, Ip addr) {
    for (JsonNode ip : current.path("ips")) {
      for (String field : List.of("ipv4", "ipv6")) {
        String v = ip.path(field).asText("");
        int cut = v.indexOf('/');
        String host = cut >= 0 ? v.substring(0, cut) : v;
        // a malformed endpoint entry (Ip.parse gives null) just does not name the interface
        if (addr.equals(Ip.parse(host)) && !ip.path("interface").asText("").isEmpty()) {
          return ip.path("interface").asText();
        }
      }
    }
    return null;
  }

  /**
   * Imports the entries of one pool in one transaction, following the allocator's lock order (the pool's
   * resources and ipam_pools rows first). New rows get a history record, and the pool one new
   * resourceVersion and MODIFIED event, as an allocation through the IPAM API would. With {@code dryRun}
   * nothing is written: the entries are checked against the pool (the stored one, else the cluster's spec)
   * and against the addresses already held.
   */
  public static Future<List<Outcome>> apply(Pool db, String poolName, ObjectNode clusterPool, List<Entry> entries,
                                     boolean dryRun) {
    if (entries.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return db.withTransaction(tx -> SqlAllocationRepository.lockPools(tx, List.of(poolName)).compose(locked -> {
      StoredPool stored = locked.get(poolName);
      List<Outcome> out = new ArrayList<>();
      if (stored == null && !dryRun) {
        entries.forEach(e -> out.add(new Outcome(e, Result.FAILED, "SpiderIPPool " + poolName
            + " is not in the database (its import failed or was not selected)")));
        return Future.succeededFuture(out);
      }
      PoolSpecs.PoolShape shape;
      try {
        shape = PoolSpecs.poolShape(stored != null ? stored.body() : clusterPool);
      } catch (RuntimeException e) {
        entries.forEach(x -> out.add(new Outcome(x, Result.FAILED, "SpiderIPPool " + poolName
            + " has no usable spec: " + e.getMessage())));
        return Future.succeededFuture(out);
      }
      List<Entry> inPool = new ArrayList<>();
      for (Entry e : entries) {
        if (e.address().family() != shape.family() || !RangeSet.contains(shape.effective(), e.address())) {
          out.add(new Outcome(e, Result.FAILED, "address " + e.ip() + " is not in SpiderIPPool " + poolName
              + " (spec.ips minus spec.excludeIPs)"));
        } else {
          inPool.add(e);
        }
      }
      if (inPool.isEmpty()) {
        return Future.succeededFuture(out);
      }
      Future<Set<String>> inserted = dryRun || stored == null
          ? Future.succeededFuture(Set.of())
          : insert(tx, poolName, inPool);
      return inserted.compose(done -> holders(tx, inPool).compose(held -> {
        List<Integer> families = new ArrayList<>();
        List<BigInteger> nums = new ArrayList<>();
        for (Entry e : inPool) {
          String k = key(e.address());
          if (done.contains(k)) {
            out.add(new Outcome(e, Result.IMPORTED, null));
            families.add(e.address().family());
            nums.add(e.address().value());
            continue;
          }
          Row h = held.get(k);
          if (h == null) {
            // Not inserted and nobody holds the address: only the container/interface key can have clashed.
            out.add(dryRun ? new Outcome(e, Result.IMPORTED, null) : new Outcome(e, Result.FAILED,
                "pod " + e.podNamespace() + "/" + e.podName() + " already holds an IPv" + e.address().family()
                    + " address on interface " + e.ifName()));
          } else if (h.getString("pool").equals(poolName) && h.getString("pod_namespace").equals(e.podNamespace())
              && h.getString("pod_name").equals(e.podName()) && h.getString("pod_uid").equals(e.podUid())) {
            out.add(new Outcome(e, Result.SKIPPED, null));
          } else {
            out.add(new Outcome(e, Result.FAILED, "address " + e.ip() + " is already held by pod "
                + h.getString("pod_namespace") + "/" + h.getString("pod_name") + " (SpiderIPPool "
                + h.getString("pool") + ")"));
          }
        }
        if (families.isEmpty()) {
          return Future.succeededFuture(out);
        }
        return tx.preparedQuery(COUNT).execute(Tuple.of(poolName, (long) families.size()))
            // Stamping the rows with the pool's new revision also writes their allocate history.
            .compose(v -> PoolRevision.changed(tx, List.of(poolName), new PoolRevision.Written(families, nums,
                List.of())))
            .map(out);
      }));
    }));
  }

  private static Future<Set<String>> insert(SqlClient tx, String pool, List<Entry> rows) {
    int n = rows.size();
    Integer[] fam = new Integer[n];
    String[] num = new String[n];
    String[] addr = new String[n];
    String[] cid = new String[n];
    String[] ifn = new String[n];
    String[] ns = new String[n];
    String[] nm = new String[n];
    String[] uid = new String[n];
    String[] node = new String[n];
    for (int i = 0; i < n; i++) {
      Entry e = rows.get(i);
      fam[i] = e.address().family();
      num[i] = e.address().value().toString();
      addr[i] = e.address().toString();
      cid[i] = e.containerId();
      ifn[i] = e.ifName();
      ns[i] = e.podNamespace();
      nm[i] = e.podName();
      uid[i] = e.podUid();
      node[i] = e.node();
    }
    Tuple t = Tuple.of(pool, fam, num, addr, cid, ifn, ns, nm, uid, node);
    return tx.preparedQuery(INSERT).execute(t).map(result -> {
      Set<String> done = new HashSet<>();
      for (Row r : result) {
        done.add(r.getInteger("family") + "/" + r.getString("address_num"));
      }
      return done;
    });
  }

  /** Who holds each of the entries' addresses now, by family/number. */
  private static Future<Map<String, Row>> holders(SqlClient tx, List<Entry> rows) {
    Integer[] fam = rows.stream().map(e -> e.address().family()).toArray(Integer[]::new);
    String[] num = rows.stream().map(e -> e.address().value().toString()).toArray(String[]::new);
    // (Object) cast: a String[] as the last argument would be spread as Tuple.of's varargs.
    return tx.preparedQuery(HOLDERS).execute(Tuple.of(fam, (Object) num)).map(result -> {
      Map<String, Row> out = new HashMap<>();
      for (Row r : result) {
        out.put(r.getInteger("family") + "/" + r.getString("address_num"), r);
      }
      return out;
    });
  }

  private static String key(Ip a) {
    return a.family() + "/" + a.value();
  }
}
