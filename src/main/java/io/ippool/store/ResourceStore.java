package io.ippool.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.Json;
import io.ippool.api.ResourceKind;
import io.ippool.errors.ApiException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Objects of every served kind in PostgreSQL. Every write is one transaction that takes the next
 * resourceVersion last, stores the row and appends the watch event; reads are consistent snapshots.
 * Callers pass a {@link Mutation} that builds the next object; the registry owns the rules for what it may
 * contain. The store still applies the few Kubernetes rules that must hold inside the transaction: it sets
 * metadata.resourceVersion, answers 404 NotFound, 409 AlreadyExists and 410 Expired, removes an object whose
 * update leaves deletionTimestamp set and no finalizers, skips writes that change nothing but managedFields
 * times, and lists in (namespace, name) order for continue tokens.
 */
public final class ResourceStore {
  private final Pool pool;
  private final Map<String, StatusProjection> projections;
  private final List<WriteHook> hooks;

  /** @param projections by plural: kinds whose status is computed on read (and never stored). */
  public ResourceStore(Pool pool, Map<String, StatusProjection> projections, List<WriteHook> hooks) {
    this.pool = pool;
    this.projections = Map.copyOf(projections);
    this.hooks = List.copyOf(hooks);
  }

  public Pool pool() {
    return pool;
  }

  // ---------------------------------------------------------------- reads

  /** The current object, or a failed Future with 404. */
  public Future<ObjectNode> get(ObjectKey key) {
    return pool.withTransaction(tx -> tx.query(ResourceSql.REPEATABLE_READ).execute()
        .compose(v -> tx.preparedQuery(ResourceSql.GET).execute(keyTuple(key)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(notFound(key));
          }
          ObjectNode obj = body(rows.iterator().next());
          return project(tx, key.kind(), List.of(obj)).map(obj);
        }));
  }

  /**
   * A page of objects after ({@code afterNamespace}, {@code afterName}), read at {@code atRevision}
   * (null = now). {@code filter} selects items; rows it rejects still advance the page.
   */
  public Future<Page> list(ResourceKind kind, String namespace, Long atRevision, String afterNamespace,
                           String afterName, int limit, Function<ObjectNode, Boolean> filter) {
    return pool.withTransaction(tx -> tx.query(ResourceSql.REPEATABLE_READ).execute()
        .compose(v -> atRevision == null ? Revisions.current(tx) : checkNotCompacted(tx, atRevision))
        .compose(rv -> collect(tx, kind, namespace, atRevision == null ? null : rv, rv,
            afterNamespace == null ? "" : afterNamespace, afterName == null ? "" : afterName, limit, filter,
            new ArrayList<>())));
  }

  private Future<Long> checkNotCompacted(SqlClient tx, long rv) {
    return tx.query(ResourceSql.COMPACTED_BEFORE).execute().compose(rows -> {
      long compacted = rows.iterator().next().getLong(0);
      if (rv < compacted) {
        return Future.failedFuture(ApiException.gone("The resourceVersion for the provided list is too old."));
      }
      return Future.succeededFuture(rv);
    });
  }

  private Future<Page> collect(SqlConnection tx, ResourceKind kind, String namespace, Long historic, long rv,
                               String afterNs, String afterName, int limit, Function<ObjectNode, Boolean> filter,
                               List<ObjectNode> acc) {
    int batch = limit <= 0 ? 1000 : Math.max(limit - acc.size(), 1) + 1;
    Future<RowSet<Row>> rowsF = historic == null
        ? tx.preparedQuery(ResourceSql.LIST_CURRENT).execute(Tuple.of(kind.plural(), namespace, afterNs, afterName,
        batch))
        : tx.preparedQuery(ResourceSql.LIST_AT_REVISION).execute(Tuple.of(kind.plural(), namespace, afterNs,
        afterName, historic, batch));
    return rowsF.compose(rows -> {
      String lastNs = afterNs;
      String lastName = afterName;
      List<ObjectNode> scanned = new ArrayList<>();
      List<ObjectNode> deferred = new ArrayList<>();
      boolean more = false;
      for (Row r : rows) {
        if (limit > 0 && acc.size() + scanned.size() >= limit) {
          more = true; // a row beyond the limit exists: the next page starts after the last one returned
          break;
        }
        lastNs = r.getString("namespace");
        lastName = r.getString("name");
        ObjectNode obj = body(r);
        // Selectors read metadata only, so filtering before the projection is filled in is safe.
        if (filter.apply(obj)) {
          scanned.add(obj);
          if (historic != null && Boolean.TRUE.equals(r.getBoolean("projected"))) {
            deferred.add(obj);
          }
        }
      }
      boolean exhausted = !more && rows.size() < batch;
      boolean done = more || exhausted;
      String ns = lastNs;
      String nm = lastName;
      boolean hasMore = more;
      return projectPage(tx, kind, historic, scanned, deferred).compose(v -> {
        acc.addAll(scanned);
        if (done) {
          return Future.succeededFuture(new Page(acc, rv, hasMore ? ns : null, hasMore ? nm : null, hasMore));
        }
        return collect(tx, kind, namespace, historic, rv, ns, nm, limit, filter, acc);
      });
    });
  }

  /**
   * Current rows get the live projection. Historic rows come from events, which carry the projected status
   * of their time, except events marked projected: those are completed at the list's revision, which gives
   * the same state as at the event's own revision (any change of the projected fields appends a newer
   * event) and only needs allocator history newer than the list's revision, which compaction keeps.
   */
  private Future<Void> projectPage(SqlConnection tx, ResourceKind kind, Long historic, List<ObjectNode> page,
                                   List<ObjectNode> deferred) {
    if (historic == null) {
      return project(tx, kind, page);
    }
    StatusProjection p = projections.get(kind.plural());
    if (p == null || deferred.isEmpty()) {
      return Future.succeededFuture();
    }
    return p.projectAt(tx, deferred, Collections.nCopies(deferred.size(), historic));
  }

  /** Every stored object of a kind, read with {@code client} (e.g. inside a write transaction). */
  public Future<List<ObjectNode>> all(SqlClient client, ResourceKind kind) {
    return client.preparedQuery(ResourceSql.ALL).execute(Tuple.of(kind.plural())).map(rows -> {
      List<ObjectNode> out = new ArrayList<>();
      rows.forEach(r -> out.add(body(r)));
      return out;
    });
  }

  // ---------------------------------------------------------------- writes

  /** Creates {@code key} from the object {@code build} returns (given null). 409 if it exists. */
  public Future<WriteResult> create(ObjectKey key, Mutation build, boolean dryRun) {
    return write(dryRun, tx -> lockKind(tx, key.kind())
        .compose(v -> tx.preparedQuery(ResourceSql.EXISTS).execute(keyTuple(key)))
        .compose(rows -> {
          if (rows.size() > 0) {
            ApiException e = ApiException.alreadyExists(key.kind().group(), key.kind().plural(), key.name());
            if (Boolean.TRUE.equals(rows.iterator().next().getBoolean(0))) {
              e = new ApiException(409, "AlreadyExists", "object is being deleted: " + e.getMessage(), e.details());
            }
            return Future.failedFuture(e);
          }
          return build.apply(tx, null);
        })
        .compose(next -> runHooks(tx, key.kind(), null, next).compose(warnings -> {
          if (dryRun) {
            return Future.succeededFuture(new WriteResult(next, true, false, warnings));
          }
          return Revisions.next(tx).compose(rv -> {
            setResourceVersion(next, rv);
            ObjectNode stored = storedForm(key.kind(), next);
            return tx.preparedQuery(ResourceSql.INSERT).execute(Tuple.of(key.kind().plural(), key.namespace(),
                    key.name(), text(next, "uid"), rv, java.time.OffsetDateTime.parse(text(next, "creationTimestamp")),
                    next.path("metadata").has("deletionTimestamp"), new JsonObject(Json.write(stored))))
                .compose(x -> servedForm(tx, key.kind(), stored))
                .compose(served -> appendEvent(tx, rv, key, EventLog.Type.ADDED, served)
                    .map(new WriteResult(served, true, false, warnings)));
          });
        })));
  }

  /**
   * Updates {@code key} with {@code mutation} applied to the current object (locked FOR UPDATE). An
   * unchanged result is a no-op (no revision, no event). A result with deletionTimestamp and no finalizers
   * removes the object.
   */
  public Future<WriteResult> update(ObjectKey key, Mutation mutation, boolean dryRun) {
    return write(dryRun, tx -> lockKind(tx, key.kind())
        .compose(v -> tx.preparedQuery(ResourceSql.GET_FOR_UPDATE).execute(keyTuple(key)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(notFound(key));
          }
          ObjectNode current = body(rows.iterator().next());
          return project(tx, key.kind(), List.of(current)).compose(v -> {
            ObjectNode before = current.deepCopy();
            return mutation.apply(tx, current).compose(next -> commitUpdate(tx, key, before, next, dryRun));
          });
        }));
  }

  private Future<WriteResult> commitUpdate(SqlConnection tx, ObjectKey key, ObjectNode before, ObjectNode next,
                                           boolean dryRun) {
    boolean remove = next.path("metadata").has("deletionTimestamp")
        && next.path("metadata").path("finalizers").size() == 0;
    if (!remove && sameIgnoringManagedFieldTimes(before, next)) {
      return Future.succeededFuture(new WriteResult(before, false, false, List.of()));
    }
    return runHooks(tx, key.kind(), before, remove ? null : next).compose(warnings -> {
      if (dryRun) {
        return Future.succeededFuture(new WriteResult(next, true, remove, warnings));
      }
      return Revisions.next(tx).compose(rv -> {
        setResourceVersion(next, rv);
        ObjectNode stored = storedForm(key.kind(), next);
        if (remove) {
          // The DELETED event carries the last state, status included: re-projecting here would read the
          // tables the hooks just emptied (a pool's counts would vanish from `kubectl get -w`). `next` was
          // built from the projected current object, so it already holds that status.
          return tx.preparedQuery(ResourceSql.DELETE).execute(keyTuple(key))
              .compose(x -> appendEvent(tx, rv, key, EventLog.Type.DELETED, next)
                  .map(new WriteResult(next, true, true, warnings)));
        }
        return tx.preparedQuery(ResourceSql.UPDATE).execute(Tuple.of(key.kind().plural(), key.namespace(),
                key.name(), rv, next.path("metadata").has("deletionTimestamp"), new JsonObject(Json.write(stored))))
            .compose(x -> servedForm(tx, key.kind(), stored))
            .compose(served -> appendEvent(tx, rv, key, EventLog.Type.MODIFIED, served)
                .map(new WriteResult(served, true, false, warnings)));
      });
    });
  }


  // ---------------------------------------------------------------- helpers

  /**
   * Runs {@code work} in one transaction. A dry run does the same work, checks and hooks included, then rolls
   * back: the caller gets the answer the write would have given and nothing is stored or announced.
   */
  private Future<WriteResult> write(boolean dryRun, Function<SqlConnection, Future<WriteResult>> work) {
    if (!dryRun) {
      return pool.withTransaction(tx -> work.apply(tx).compose(r -> r.changed()
          ? EventLog.notifyWatchers(tx).map(r) : Future.succeededFuture(r)));
    }
    return pool.withConnection(conn -> conn.begin().compose(tx -> work.apply(conn).transform(done ->
        tx.rollback().transform(rolledBack -> done.succeeded() ? Future.succeededFuture(done.result())
            : Future.<WriteResult>failedFuture(done.cause())))));
  }

  private Future<Void> lockKind(SqlConnection tx, ResourceKind kind) {
    return tx.preparedQuery(ResourceSql.LOCK_KIND).execute(Tuple.of(kind.plural())).mapEmpty();
  }

  private Future<List<String>> runHooks(SqlConnection tx, ResourceKind kind, ObjectNode before, ObjectNode next) {
    Future<List<String>> acc = Future.succeededFuture(new ArrayList<>());
    for (WriteHook h : hooks) {
      acc = acc.compose(list -> h.beforeCommit(tx, kind, before, next).map(w -> {
        list.addAll(w);
        return list;
      }));
    }
    return acc;
  }

  private Future<Void> appendEvent(SqlConnection tx, long rv, ObjectKey key, EventLog.Type type, ObjectNode served) {
    return EventLog.append(tx, rv, key.kind(), key.namespace(), key.name(), type, served);
  }

  private Future<Void> project(SqlClient client, ResourceKind kind, List<ObjectNode> objs) {
    StatusProjection p = projections.get(kind.plural());
    return p == null || objs.isEmpty() ? Future.succeededFuture() : p.project(client, objs);
  }

  /** Projected kinds never store their status: it is rebuilt from its own tables on every read. */
  private ObjectNode storedForm(ResourceKind kind, ObjectNode obj) {
    if (!projections.containsKey(kind.plural())) {
      return obj;
    }
    ObjectNode copy = obj.deepCopy();
    copy.remove("status");
    return copy;
  }

  private Future<ObjectNode> servedForm(SqlClient tx, ResourceKind kind, ObjectNode stored) {
    if (!projections.containsKey(kind.plural())) {
      return Future.succeededFuture(stored);
    }
    ObjectNode copy = stored.deepCopy();
    return project(tx, kind, List.of(copy)).map(copy);
  }

  private static boolean sameIgnoringManagedFieldTimes(ObjectNode a, ObjectNode b) {
    // Numbers compare by value: a generation parsed from storage (int) equals one computed as a long.
    return stripManagedFieldTimes(a).equals(NUMERIC_VALUE, stripManagedFieldTimes(b));
  }

  private static final java.util.Comparator<JsonNode> NUMERIC_VALUE = (x, y) -> {
    if (x.isNumber() && y.isNumber()) {
      return x.decimalValue().compareTo(y.decimalValue());
    }
    return x.equals(y) ? 0 : 1;
  };

  private static JsonNode stripManagedFieldTimes(ObjectNode o) {
    ObjectNode copy = o.deepCopy();
    JsonNode mf = copy.path("metadata").path("managedFields");
    if (mf.isArray()) {
      for (JsonNode e : mf) {
        if (e instanceof ObjectNode en) {
          en.remove("time");
        }
      }
    }
    return copy;
  }

  private static void setResourceVersion(ObjectNode obj, long rv) {
    ((ObjectNode) obj.get("metadata")).put("resourceVersion", Long.toString(rv));
  }

  private static String text(ObjectNode obj, String metaField) {
    return obj.path("metadata").path(metaField).asText();
  }

  private static ObjectNode body(Row r) {
    Object v = r.getValue("body");
    return Json.readObject(v instanceof JsonObject j ? j.encode() : String.valueOf(v));
  }

  private static Tuple keyTuple(ObjectKey key) {
    return Tuple.of(key.kind().plural(), key.namespace(), key.name());
  }

  private static ApiException notFound(ObjectKey key) {
    return ApiException.notFound(key.kind().group(), key.kind().plural(), key.name());
  }
}
