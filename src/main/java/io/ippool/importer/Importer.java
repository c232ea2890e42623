package io.ippool.importer;

import io.ippool.store.allocation.AllocationImport;
import io.ippool.spiderpool.Spiderpool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.ResourceKind;
import io.ippool.errors.ApiException;
import io.ippool.registry.KindDefinition;
import io.ippool.registry.ResourceRegistry;
import io.ippool.registry.WriteOptions;
import io.ippool.store.ObjectKey;
import io.ippool.store.ResourceStore;
import io.ippool.store.WriteResult;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Copies every object of the group from a cluster into our PostgreSQL through the same registry and store a
 * create over HTTP goes through: schema pruning, defaulting and validation, Spiderpool's admission rules, the
 * event log (watchers of a running server see the objects arrive) and the allocator's side tables.
 *
 * <p>Objects are written one at a time, in an order where nothing validated depends on a later kind: pools
 * (their overlap checks look at the pools already stored), reserved IPs, the other kinds, and last the pools'
 * allocations, which need the pools' range tables.
 */
public final class Importer {
  /** Recorded in managedFields, so imported fields are attributable. */
  public static final String FIELD_MANAGER = "ippool-import";
  /** Import order (see the class comment). */
  public static final List<String> ORDER = List.of(Spiderpool.IPPOOL.plural(), Spiderpool.RESERVED_IP.plural(),
      "spidersubnets", "spidercoordinators", "spidermultusconfigs", "spiderendpoints");
  private static final String ENDPOINTS = "spiderendpoints";

  /**
   * @param kinds         plurals to import
   * @param update        overwrite objects that already exist instead of skipping them
   * @param progressEvery a progress line every this many objects (0: none)
   */
  public record Options(Set<String> kinds, boolean dryRun, boolean update, int progressEvery) {
  }

  private final Pool db;
  private final ResourceRegistry registry;
  private final Map<String, KindDefinition> definitions = new LinkedHashMap<>();
  private final Map<String, ClusterIdentity> identities = new LinkedHashMap<>();
  private final PrintWriter progress;

  /**
   * @param store    the store the server writes through (its hook and projections)
   * @param kinds    the kinds the server serves, with their admission: an imported object must be
   *                 indistinguishable from one created through the API, so the caller passes the server's own
   * @param progress where progress lines go (stderr for the command)
   */
  public Importer(Pool db, ResourceStore store, List<KindDefinition> kinds, PrintWriter progress) {
    this.db = db;
    this.progress = progress;
    this.registry = new ResourceRegistry(store);
    for (KindDefinition d : kinds) {
      ClusterIdentity identity = new ClusterIdentity(d.admission());
      identities.put(d.kind().plural(), identity);
      definitions.put(d.kind().plural(), d.withAdmission(identity));
    }
  }

  /** Runs the import; failures of single objects are in the report, never thrown. */
  public ImportReport run(ClusterSource source, Options options) throws InterruptedException {
    ImportReport report = new ImportReport();
    WriteOptions write = new WriteOptions(options.dryRun(), FIELD_MANAGER, "Ignore", FIELD_MANAGER);
    Map<String, List<ObjectNode>> listed = new LinkedHashMap<>();
    for (String plural : ORDER) {
      if (!options.kinds().contains(plural)) {
        continue;
      }
      KindDefinition def = definitions.get(plural);
      List<ObjectNode> objects;
      try {
        objects = source.list(def.kind());
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        report.row(plural);
        report.fail(plural, "(list)", "cannot list " + def.kind().groupResource() + " from " + source.describe()
            + ": " + rootMessage(e));
        continue;
      }
      listed.put(plural, objects);
      report.row(plural).found = objects.size();
      say(plural + ": " + objects.size() + " found");
      int done = 0;
      for (ObjectNode obj : objects) {
        importObject(def, obj, write, options.update(), report);
        done++;
        if (options.progressEvery() > 0 && done % options.progressEvery() == 0 && done < objects.size()) {
          say(plural + ": " + done + "/" + objects.size());
        }
      }
      ImportReport.Counts c = report.row(plural);
      say(plural + ": done (" + c.imported + " imported, " + c.updated + " updated, " + c.skipped + " skipped, "
          + c.failed + " failed)");
    }
    if (listed.containsKey(Spiderpool.IPPOOL.plural())) {
      importAllocations(source, listed, options, report);
    }
    return report;
  }

  // ------------------------------------------------------------------------------------------- objects

  private void importObject(KindDefinition def, ObjectNode clusterObj, WriteOptions write, boolean update,
                            ImportReport report) throws InterruptedException {
    ResourceKind kind = def.kind();
    String plural = kind.plural();
    ObjectNode meta = clusterObj.path("metadata") instanceof ObjectNode m ? m : clusterObj.putObject("metadata");
    String ns = kind.namespaced() ? meta.path("namespace").asText("") : "";
    String name = meta.path("name").asText("");
    String id = ns.isEmpty() ? name : ns + "/" + name;
    if (meta.hasNonNull("deletionTimestamp")) {
      // Creating it would resurrect it as a live object; the operator has to decide.
      report.fail(plural, id, "is being deleted in the cluster (metadata.deletionTimestamp is set); not imported");
      return;
    }
    ObjectNode clean = cleaned(def, clusterObj);
    // The registry drops status on create for kinds with a status subresource, as kube-apiserver does; it is
    // written afterwards through /status. SpiderIPPool's status is not stored at all: it is a projection of
    // the allocations, imported last.
    JsonNode status = kind.hasStatusSubresource() && !plural.equals(Spiderpool.IPPOOL.plural())
        ? clean.get("status") : null;
    ClusterIdentity identity = identities.get(plural);
    identity.expect(ns, name, meta);
    try {
      WriteResult created = await(registry.create(def, ns, clean.deepCopy(), write));
      if (status != null && !write.dryRun()) {
        await(writeStatus(def, new ObjectKey(kind, ns, name), created.object(), status, write));
      }
      report.row(plural).imported++;
    } catch (ApiException e) {
      boolean exists = "AlreadyExists".equals(e.reason()) && !e.getMessage().startsWith("object is being deleted");
      if (!exists) {
        report.fail(plural, id, e.getMessage());
      } else if (!update) {
        report.row(plural).skipped++;
      } else {
        updateExisting(def, new ObjectKey(kind, ns, name), id, clean, status, write, report);
      }
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      report.fail(plural, id, rootMessage(e));
    } finally {
      identity.forget(ns, name);
    }
  }

  /**
   * The cluster's object as a create request: server-owned metadata dropped (uid and creationTimestamp
   * are put back by {@link ClusterIdentity}; generation restarts at 1; managedFields name the cluster's
   * managers, so {@value #FIELD_MANAGER} owns the imported fields instead), then pruned and defaulted as a
   * request body is.
   */
  private static ObjectNode cleaned(KindDefinition def, ObjectNode clusterObj) {
    ObjectNode obj = clusterObj.deepCopy();
    ObjectNode meta = (ObjectNode) obj.get("metadata");
    meta.remove(List.of("resourceVersion", "managedFields", "selfLink", "generation", "uid", "creationTimestamp",
        "deletionGracePeriodSeconds"));
    obj.put("apiVersion", def.kind().apiVersion());
    obj.put("kind", def.kind().kind());
    def.schema().prune(obj);
    def.schema().applyDefaults(obj);
    return obj;
  }

  private Future<WriteResult> writeStatus(KindDefinition def, ObjectKey key, ObjectNode stored, JsonNode status,
                                          WriteOptions write) {
    if (status.equals(stored.get("status"))) {
      return Future.succeededFuture(new WriteResult(stored, false, false, List.of()));
    }
    ObjectNode next = stored.deepCopy();
    next.set("status", status.deepCopy());
    return registry.update(def, key, next, write, "status");
  }

  /**
   * --update: the existing object takes the cluster's labels, annotations, finalizers, ownerReferences and
   * everything outside metadata (spec; status too for kinds without a status subresource), through a patch so
   * the update rules (immutable fields, generation, admission) apply. Its uid stays ours.
   */
  private void updateExisting(KindDefinition def, ObjectKey key, String id, ObjectNode clean, JsonNode status,
                              WriteOptions write, ImportReport report) throws InterruptedException {
    String plural = def.kind().plural();
    try {
      WriteResult patched = await(registry.patch(def, key, current -> {
        ObjectNode next = current.deepCopy();
        List<String> keep = def.kind().hasStatusSubresource()
            ? List.of("metadata", "status", "apiVersion", "kind") : List.of("metadata", "apiVersion", "kind");
        List<String> drop = new ArrayList<>();
        next.fieldNames().forEachRemaining(f -> {
          if (!keep.contains(f) && !clean.has(f)) {
            drop.add(f);
          }
        });
        next.remove(drop);
        clean.fields().forEachRemaining(f -> {
          if (!keep.contains(f.getKey())) {
            next.set(f.getKey(), f.getValue().deepCopy());
          }
        });
        ObjectNode meta = (ObjectNode) next.get("metadata");
        for (String f : List.of("labels", "annotations", "finalizers", "ownerReferences")) {
          JsonNode v = clean.path("metadata").get(f);
          if (v == null || v.isNull()) {
            meta.remove(f);
          } else {
            meta.set(f, v.deepCopy());
          }
        }
        return next;
      }, write, null));
      boolean changed = patched.changed();
      if (status != null && !write.dryRun()) {
        changed |= await(writeStatus(def, key, patched.object(), status, write)).changed();
      }
      if (changed) {
        report.row(plural).updated++;
      } else {
        report.row(plural).skipped++;
      }
    } catch (ApiException e) {
      report.fail(plural, id, e.getMessage());
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      report.fail(plural, id, rootMessage(e));
    }
  }

  // --------------------------------------------------------------------------------------- allocations

  private void importAllocations(ClusterSource source, Map<String, List<ObjectNode>> listed, Options options,
                                 ImportReport report) throws InterruptedException {
    String row = ImportReport.ALLOCATIONS;
    report.row(row);
    Map<String, ObjectNode> endpoints = endpointsByPod(source, listed);
    int done = 0;
    for (ObjectNode pool : listed.get(Spiderpool.IPPOOL.plural())) {
      if (pool.path("metadata").hasNonNull("deletionTimestamp")) {
        continue; // the pool itself was reported; its allocations cannot go anywhere
      }
      String name = pool.path("metadata").path("name").asText();
      List<AllocationImport.Outcome> outcomes = new ArrayList<>();
      List<AllocationImport.Entry> entries = AllocationImport.entries(pool, endpoints, outcomes);
      try {
        outcomes.addAll(await(AllocationImport.apply(db, name, pool, entries, options.dryRun())));
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        String why = e instanceof ApiException a ? a.getMessage() : rootMessage(e);
        entries.forEach(x -> outcomes.add(new AllocationImport.Outcome(x, AllocationImport.Result.FAILED, why)));
      }
      ImportReport.Counts c = report.row(row);
      for (AllocationImport.Outcome o : outcomes) {
        c.found++;
        String what = name + (o.entry() == null ? "" : " " + o.entry().ip());
        switch (o.result()) {
          case IMPORTED -> c.imported++;
          case SKIPPED -> c.skipped++;
          case FAILED -> report.fail(row, what, o.message());
        }
      }
      int before = done;
      done += outcomes.size();
      int every = options.progressEvery();
      if (every > 0 && done / every > before / every) {
        say(row + ": " + done + " so far (pool " + name + ")");
      }
    }
    ImportReport.Counts c = report.row(row);
    say(row + ": done (" + c.imported + " imported, " + c.skipped + " skipped, " + c.failed + " failed)");
  }

  /**
   * SpiderEndpoints name the interface and node of each address. Listed for that even when the kind itself is
   * not imported; without them the interface is recorded as unknown.
   */
  private Map<String, ObjectNode> endpointsByPod(ClusterSource source, Map<String, List<ObjectNode>> listed)
      throws InterruptedException {
    List<ObjectNode> eps = listed.get(ENDPOINTS);
    if (eps == null) {
      try {
        eps = source.list(definitions.get(ENDPOINTS).kind());
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        say("warning: cannot list spiderendpoints (" + rootMessage(e) + "); interfaces of imported addresses "
            + "are recorded as unknown");
        eps = List.of();
      }
    }
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    for (ObjectNode ep : eps) {
      out.put(ep.path("metadata").path("namespace").asText() + "/" + ep.path("metadata").path("name").asText(), ep);
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------- helpers

  private void say(String line) {
    if (progress != null) {
      progress.println(line);
      progress.flush();
    }
  }

  /** Blocking is fine here: the import runs on the command's own thread, never on an event loop. */
  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception c) {
        throw c;
      }
      throw e;
    }
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }
}
