package io.ippool.store.allocation;

import io.ippool.spiderpool.PoolSpecs;
import io.ippool.spiderpool.Spiderpool;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.Json;
import io.ippool.api.ResourceKind;
import io.ippool.store.Database;
import io.ippool.store.DatabaseUrl;
import io.ippool.store.Revisions;
import io.ippool.testsupport.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Writes SpiderIPPools and SpiderReservedIPs the way the resource store will (row in `resources` plus the
 * allocator's WriteHook in the same transaction), for tests and the benchmark until the HTTP API exists.
 */
public final class AllocFixture implements AutoCloseable {
  public final DatabaseUrl url;
  public final Vertx vertx;
  public final Pool db;
  private final AllocationHook hook = new AllocationHook();

  private AllocFixture(DatabaseUrl url, int poolSize) {
    this.url = url;
    this.vertx = Vertx.vertx();
    this.db = Database.pool(vertx, url, poolSize);
  }

  public static AllocFixture fresh() {
    return new AllocFixture(TestDatabase.fresh(), 8);
  }

  public static AllocFixture on(DatabaseUrl url, int poolSize) {
    return new AllocFixture(url, poolSize);
  }

  public static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static ObjectNode poolBody(String name, String subnet, List<String> ips, List<String> exclude) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("apiVersion", Spiderpool.API_VERSION).put("kind", "SpiderIPPool");
    ObjectNode m = o.putObject("metadata");
    m.put("name", name);
    m.putArray("finalizers").add(Spiderpool.FINALIZER);
    ObjectNode spec = o.putObject("spec");
    spec.put("subnet", subnet);
    spec.put("ipVersion", subnet.contains(":") ? 6 : 4);
    ArrayNode a = spec.putArray("ips");
    ips.forEach(a::add);
    ArrayNode x = spec.putArray("excludeIPs");
    exclude.forEach(x::add);
    spec.put("default", false).put("disable", false);
    return o;
  }

  public static ObjectNode reservationBody(String name, int family, List<String> ips) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("apiVersion", Spiderpool.API_VERSION).put("kind", "SpiderReservedIP");
    o.putObject("metadata").put("name", name);
    ObjectNode spec = o.putObject("spec");
    spec.put("ipVersion", family);
    ArrayNode a = spec.putArray("ips");
    ips.forEach(a::add);
    return o;
  }

  public ObjectNode pool(String name, String subnet, List<String> ips, List<String> exclude,
                         Consumer<ObjectNode> spec) {
    ObjectNode body = poolBody(name, subnet, ips, exclude);
    spec.accept((ObjectNode) body.get("spec"));
    put(Spiderpool.IPPOOL, body);
    return body;
  }

  public ObjectNode pool(String name, String subnet, List<String> ips) {
    return pool(name, subnet, ips, List.of(), s -> { });
  }

  public List<String> reserve(String name, int family, List<String> ips) {
    return put(Spiderpool.RESERVED_IP, reservationBody(name, family, ips));
  }

  private static final String GET = """
      SELECT body::text AS body FROM resources WHERE resource = $1 AND namespace = '' AND name = $2 FOR UPDATE""";
  private static final String UPSERT = """
      INSERT INTO resources (resource, namespace, name, uid, resource_version, created_at, deleting, body)
      VALUES ($1, '', $2, $3, $4, now(), $5, $6::jsonb)
      ON CONFLICT (resource, namespace, name) DO UPDATE
         SET resource_version = EXCLUDED.resource_version, deleting = EXCLUDED.deleting, body = EXCLUDED.body""";
  private static final String DELETE = "DELETE FROM resources WHERE resource = $1 AND namespace = '' AND name = $2";

  /** Create or update, as the store would: returns the hook's warnings; hook failures propagate. */
  public List<String> put(ResourceKind kind, ObjectNode body) {
    String name = body.path("metadata").path("name").asText();
    return await(db.withTransaction(tx -> tx.preparedQuery(GET).execute(Tuple.of(kind.plural(), name))
        .compose(rows -> {
          ObjectNode prev = rows.size() == 0 ? null : Json.readObject(rows.iterator().next().getString("body"));
          ObjectNode next = body.deepCopy();
          return hook.beforeCommit(tx, kind, prev, next).compose(warnings -> Revisions.next(tx).compose(rv -> {
            ((ObjectNode) next.get("metadata")).put("resourceVersion", String.valueOf(rv));
            return tx.preparedQuery(UPSERT).execute(Tuple.of(kind.plural(), name, UUID.randomUUID(), rv,
                PoolSpecs.terminating(next), new JsonObject(Json.write(next)))).map(warnings);
          }));
        })));
  }

  /** Removes the object for good (next == null). */
  public void remove(ResourceKind kind, String name) {
    await(db.withTransaction(tx -> tx.preparedQuery(GET).execute(Tuple.of(kind.plural(), name)).compose(rows -> {
      ObjectNode prev = Json.readObject(rows.iterator().next().getString("body"));
      return hook.beforeCommit(tx, kind, prev, null)
          .compose(w -> tx.preparedQuery(DELETE).execute(Tuple.of(kind.plural(), name)));
    })));
  }

  /** kubectl delete on a pool: sets deletionTimestamp (the finalizer keeps it) and lets the allocator finalize. */
  public void deletePool(String name) {
    ObjectNode body = await(db.preparedQuery("SELECT body::text AS b FROM resources WHERE resource = 'spiderippools' AND name = $1")
        .execute(Tuple.of(name)).map(r -> Json.readObject(r.iterator().next().getString("b"))));
    ((ObjectNode) body.get("metadata")).put("deletionTimestamp", "2026-01-01T00:00:00Z");
    put(Spiderpool.IPPOOL, body);
    await(db.withTransaction(tx -> PoolRevision.finalizeIfIdle(tx, name)));
  }

  public long scalar(String sql, Object... params) {
    return await(db.preparedQuery(sql).execute(Tuple.from(params)).map(r -> {
      Object v = r.iterator().next().getValue(0);
      return v == null ? 0L : ((Number) v).longValue();
    }));
  }

  public List<String> strings(String sql, Object... params) {
    return await(db.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
      List<String> out = new java.util.ArrayList<>();
      rows.forEach(r -> out.add(String.valueOf(r.getValue(0))));
      return out;
    }));
  }

  /** The pool as served: stored body plus projected status. */
  public ObjectNode served(String name) {
    ObjectNode body = await(db.preparedQuery("SELECT body::text AS b FROM resources WHERE resource = 'spiderippools' AND name = $1")
        .execute(Tuple.of(name)).map(r -> r.size() == 0 ? null : Json.readObject(r.iterator().next().getString("b"))));
    if (body != null) {
      await(new PoolStatusProjection().project(db, List.of(body)));
    }
    return body;
  }

  @Override
  public void close() {
    await(db.close());
    await(vertx.close());
  }
}
