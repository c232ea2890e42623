package io.ippool.ipam;

import io.ippool.metrics.AllocationMetrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.AddResponse;
import io.ippool.ipam.IpamModels.BatchDelArgs;
import io.ippool.ipam.IpamModels.DelArgs;
import io.ippool.ipam.IpamModels.IpConfig;
import io.ippool.ipam.IpamModels.Route;
import io.ippool.ipam.PoolSelection.Candidate;
import io.ippool.ipam.PoolSelection.CatalogPool;
import io.ippool.ipam.PoolSelection.PodContext;
import io.ippool.ipam.internal.Lanes;
import io.ippool.iprange.Cidr;
import io.ippool.iprange.Ip;
import io.ippool.store.allocation.AllocationStore;
import io.ippool.store.allocation.AllocationStore.Allocated;
import io.ippool.store.allocation.AllocationStore.Allocation;
import io.ippool.store.allocation.AllocationStore.LockedPool;
import io.ippool.store.allocation.AllocationStore.Released;
import io.ippool.store.allocation.PoolRevision;
import io.ippool.store.allocation.PoolSpecs;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Spiderpool's IPAM (section d of the spec) on PostgreSQL.
 *
 * <p>Atomicity: each batch is one transaction that first locks every candidate pool of every request in it
 * ({@code SELECT ... FOR UPDATE}, pool-name order, so transactions never deadlock), reads reservations
 * after taking the locks, and inserts the allocations; the unique key on (family, address) makes a
 * duplicate address impossible even across server processes. All NICs and families of one request succeed
 * or fail together.
 *
 * <p>Throughput: requests for the same set of candidate pools that arrive while a transaction for that set
 * is running are coalesced into the next transaction (one lock, one resourceVersion bump and one event per
 * pool, one commit). Releases are coalesced the same way.
 */
public final class Allocator {
  static final String STANDARD = "failed to allocate IP addresses in standard mode: ";
  static final String USED_OUT = "all IP addresses used out";
  static final String EXHAUSTED_SUFFIX = ", all IPs have been exhausted";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Pool db;
  private final KubeMetadata meta;
  private final AllocatorConfig cfg;
  private volatile AllocationMetrics metrics = AllocationMetrics.NONE;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Allocator.class);
  private final Lanes<AddJob> addLanes;
  private final Lanes<ReleaseJob> releaseLanes;

  public Allocator(Pool db, KubeMetadata meta, AllocatorConfig cfg) {
    this.db = db;
    this.meta = meta;
    this.cfg = cfg;
    this.addLanes = new Lanes<>(cfg.maxBatch(), cfg.inFlightPerLane(), this::runAdds);
    this.releaseLanes = new Lanes<>(cfg.maxBatch(), cfg.inFlightPerLane(), this::runReleases);
  }

  public AllocatorConfig config() {
    return cfg;
  }

  /** GET /v1/ipam/healthy: the database answers. */
  public Future<Void> healthy() {
    return db.query("SELECT 1").execute().mapEmpty();
  }

  // ------------------------------------------------------------------------------------------------ ADD

  /** POST /v1/ipam/ip. Fails with {@link IpamException} carrying Spiderpool's error text. */
  /** Reports every allocation and release to {@code sink} (Prometheus counters, latency). */
  public Allocator withMetrics(AllocationMetrics sink) {
    this.metrics = sink;
    return this;
  }

  /** POST /v1/ipam/ip, measured and logged: one info line per address handed out. */
  public Future<AddResponse> allocate(AddArgs args) {
    long started = System.nanoTime();
    return allocateUnobserved(args).onComplete(ar -> {
      double seconds = (System.nanoTime() - started) / 1e9;
      if (ar.succeeded()) {
        for (IpConfig ip : ar.result().ips()) {
          metrics.onAllocate(ip.ipPool(), true, seconds);
          LOG.atInfo().addKeyValue("pool", ip.ipPool()).addKeyValue("address", ip.address())
              .addKeyValue("pod", args.podNamespace() + "/" + args.podName())
              .addKeyValue("container", args.containerID()).addKeyValue("interface", ip.nic()).log("allocated");
        }
      } else {
        String message = String.valueOf(ar.cause().getMessage());
        metrics.onAllocate("", false, seconds);
        metrics.onFailure("", failureReason(message));
        LOG.atInfo().addKeyValue("pod", args.podNamespace() + "/" + args.podName())
            .addKeyValue("container", args.containerID()).addKeyValue("error", message).log("allocation failed");
      }
    });
  }

  /** A small fixed set, so metric labels stay bounded whatever the error text. */
  static String failureReason(String message) {
    if (message.contains("used out") || message.contains("exhausted")) {
      return "exhausted";
    }
    if (message.contains("no IPPool available")) {
      return "no_pool";
    }
    if (message.contains("invalid") || message.contains("wrong input") || message.contains("required")) {
      return "bad_request";
    }
    return "error";
  }

  private Future<AddResponse> allocateUnobserved(AddArgs args) {
    String podKey = args.podNamespace() + "/" + args.podName();
    // An ADD repeated for the same container and interface returns what it got before (CNI retries).
    return AllocationStore.byContainers(db, List.of(args.containerID())).compose(existing -> {
      if (existing.stream().anyMatch(a -> a.ifName().equals(args.ifName()))) {
        return AllocationStore.readPools(db, existing.stream().map(Allocation::pool).toList())
            .map(pools -> respond(args, existing, pools, Map.of(), Map.of()));
      }
      return meta.pod(args.podNamespace(), args.podName()).compose(pod -> {
        if (!pod.alive()) {
          return Future.failedFuture(new IpamException("dead Pod " + podKey
              + ", we cannot allocate IP addresees to it"));
        }
        return meta.namespace(args.podNamespace()).compose(ns -> meta.nodeLabels(pod.nodeName()).compose(node -> {
          PodContext ctx = new PodContext(args.podNamespace(), args.podName(), pod, ns, node);
          try {
            customRoutes(pod.annotations(), Map.of());
          } catch (IpamException e) {
            return Future.failedFuture(e);
          }
          return candidates(args, ctx).compose(cands -> {
            AddJob job = new AddJob(args, ctx, cands);
            TreeSet<String> pools = new TreeSet<>();
            cands.forEach(c -> pools.addAll(c.pools()));
            addLanes.submit(cfg.lanePerPoolSet() ? String.join(",", pools) : "*", job);
            return job.promise.future();
          });
        }));
      });
    });
  }

  private Future<List<Candidate>> candidates(AddArgs args, PodContext ctx) {
    try {
      return Future.succeededFuture(nonEmpty(PoolSelection.candidates(args, ctx.pod(), ctx.ns(), null, cfg)));
    } catch (PoolSelection.NeedCatalog needed) {
      return AllocationStore.catalog(db).compose(entries -> {
        List<CatalogPool> catalog = entries.stream()
            .map(e -> new CatalogPool(e.name(), e.family(), e.isDefault())).toList();
        try {
          return Future.succeededFuture(nonEmpty(PoolSelection.candidates(args, ctx.pod(), ctx.ns(), catalog, cfg)));
        } catch (IpamException e) {
          return Future.failedFuture(new IpamException(STANDARD + e.getMessage()));
        }
      });
    } catch (IpamException e) {
      return Future.failedFuture(new IpamException(STANDARD + e.getMessage()));
    }
  }

  private static List<Candidate> nonEmpty(List<Candidate> c) {
    if (c.isEmpty()) {
      throw new IpamException("no IPPool available, no pool selection rules of any type are specified");
    }
    return c;
  }

  /** One ADD waiting in a lane. */
  private static final class AddJob {
    final AddArgs args;
    final PodContext ctx;
    final List<Candidate> candidates;
    final Promise<AddResponse> promise = Promise.promise();
    final List<Entry> entries = new ArrayList<>();
    List<Allocation> existing;
    String error;
    AddResponse response;

    AddJob(AddArgs args, PodContext ctx, List<Candidate> candidates) {
      this.args = args;
      this.ctx = ctx;
      this.candidates = candidates;
    }
  }

  /** One (NIC, family) of a job being allocated: walks its sorted pools until one has a free address. */
  private static final class Entry {
    final AddJob job;
    final Candidate candidate;
    final List<String> ordered;
    final List<String> errors = new ArrayList<>();
    int next;
    BigInteger address;
    String pool;
    boolean reused;

    Entry(AddJob job, Candidate candidate, List<String> ordered) {
      this.job = job;
      this.candidate = candidate;
      this.ordered = ordered;
    }

    boolean pending() {
      return job.error == null && address == null && next < ordered.size();
    }
  }

  private Future<?> runAdds(List<AddJob> jobs) {
    return db.withTransaction(tx -> addBatch(tx, jobs)).onComplete(ar -> {
      for (AddJob job : jobs) {
        if (ar.failed()) {
          job.promise.tryFail(new IpamException(STANDARD + ar.cause().getMessage()));
        } else if (job.error != null) {
          job.promise.tryFail(new IpamException(job.error));
        } else {
          job.promise.tryComplete(job.response);
        }
      }
    });
  }

  private Future<Void> addBatch(SqlConnection tx, List<AddJob> jobs) {
    Set<String> names = new TreeSet<>();
    jobs.forEach(j -> j.candidates.forEach(c -> names.addAll(c.pools())));
    return AllocationStore.lockPools(tx, names).compose(locked ->
        AllocationStore.byContainers(tx, jobs.stream().map(j -> j.args.containerID()).toList()).compose(existing -> {
          Map<String, List<Allocation>> byContainer = new HashMap<>();
          existing.forEach(a -> byContainer.computeIfAbsent(a.containerId(), k -> new ArrayList<>()).add(a));
          for (AddJob job : jobs) {
            List<Allocation> held = byContainer.getOrDefault(job.args.containerID(), List.of());
            if (held.stream().anyMatch(a -> a.ifName().equals(job.args.ifName()))) {
              job.existing = held;
            } else {
              plan(job, locked);
            }
          }
          return rounds(tx, jobs);
        }).compose(v -> finish(tx, jobs, locked)));
  }

  /** Precheck, filter and sort each candidate of the job into an Entry, or set the job's error. */
  private void plan(AddJob job, Map<String, LockedPool> locked) {
    for (Candidate c : job.candidates) {
      List<ObjectNode> usable = new ArrayList<>();
      List<String> reasons = new ArrayList<>();
      for (String p : c.pools()) {
        LockedPool lp = locked.get(p);
        if (lp == null) {
          job.error = STANDARD + "failed to get original IPPool " + p
              + ": spiderippools.spiderpool.spidernet.io \"" + p + "\" not found";
          return;
        }
        String why = PoolSelection.rejection(lp.body(), c, job.ctx, cfg);
        if (why == null) {
          usable.add(lp.body());
        } else {
          reasons.add(why);
        }
      }
      if (usable.isEmpty()) {
        job.error = STANDARD + "no IPPool available, all IPv" + c.family() + " IPPools "
            + PoolSelection.goList(c.pools()) + " of " + c.nic() + " filtered out: " + PoolSelection.aggregate(reasons);
        return;
      }
      job.entries.add(new Entry(job, c, PoolSelection.sorted(usable).stream().map(PoolSpecs::name).toList()));
    }
  }

  /** Allocates round by round: each round is one ipam_allocate call per pool for all entries now at that pool. */
  private Future<Void> rounds(SqlConnection tx, List<AddJob> jobs) {
    Map<String, List<Entry>> byPool = new TreeMap<>();
    for (AddJob job : jobs) {
      for (Entry e : job.entries) {
        if (e.pending()) {
          byPool.computeIfAbsent(e.ordered.get(e.next), k -> new ArrayList<>()).add(e);
        }
      }
    }
    if (byPool.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<Void>> calls = new ArrayList<>();
    for (var group : byPool.entrySet()) {
      List<Entry> entries = group.getValue();
      AllocationStore.Requests q = new AllocationStore.Requests(
          entries.stream().map(e -> e.job.args.containerID()).toList(),
          entries.stream().map(e -> e.candidate.nic()).toList(),
          entries.stream().map(e -> e.job.args.podNamespace()).toList(),
          entries.stream().map(e -> e.job.args.podName()).toList(),
          entries.stream().map(e -> e.job.args.podUID()).toList(),
          entries.stream().map(e -> e.job.ctx.pod().nodeName() == null ? "" : e.job.ctx.pod().nodeName()).toList());
      calls.add(AllocationStore.allocate(tx, group.getKey(), q, cfg.maxAllocatedIPs()).map(results -> {
        for (Allocated r : results) {
          settle(entries.get(r.index()), group.getKey(), r);
        }
        return null;
      }));
    }
    return Future.all(calls).compose(v -> rounds(tx, jobs));
  }

  private void settle(Entry e, String pool, Allocated r) {
    if (r.address() != null) {
      e.address = r.address();
      e.pool = r.pool();
      e.reused = r.reused();
      return;
    }
    e.errors.add("threshold".equals(r.reason())
        ? USED_OUT + ", threshold of IP records(<=" + cfg.maxAllocatedIPs() + ") for IPPool " + pool + " exceeded"
        : USED_OUT);
    e.next++;
    if (e.next == e.ordered.size() && e.job.error == null) {
      String agg = PoolSelection.aggregate(e.errors);
      e.job.error = STANDARD + "failed to allocate any IPv" + e.candidate.family() + " IP address to NIC "
          + e.candidate.nic() + " from IPPools " + PoolSelection.goList(e.ordered) + ": " + agg
          + (agg.equals(USED_OUT) ? EXHAUSTED_SUFFIX : "");
    }
  }

  /** Takes back partial results of failed jobs, records history, bumps pools, builds responses. */
  private Future<Void> finish(SqlConnection tx, List<AddJob> jobs, Map<String, LockedPool> locked) {
    List<Integer> undoFamilies = new ArrayList<>();
    List<BigInteger> undoAddresses = new ArrayList<>();
    List<Integer> newFamilies = new ArrayList<>();
    List<BigInteger> newAddresses = new ArrayList<>();
    Set<String> changed = new TreeSet<>();
    Set<String> unlocked = new HashSet<>();
    for (AddJob job : jobs) {
      for (Entry e : job.entries) {
        if (e.address == null || e.reused) {
          if (e.address != null && !locked.containsKey(e.pool)) {
            unlocked.add(e.pool);
          }
          continue;
        }
        if (job.error != null) {
          undoFamilies.add(e.candidate.family());
          undoAddresses.add(e.address);
        } else {
          newFamilies.add(e.candidate.family());
          newAddresses.add(e.address);
          changed.add(e.pool);
        }
      }
      if (job.existing != null) {
        job.existing.stream().map(Allocation::pool).filter(p -> !locked.containsKey(p)).forEach(unlocked::add);
      }
    }
    return AllocationStore.undo(tx, undoFamilies, undoAddresses)
        .compose(v -> PoolRevision.changed(tx, changed,
            new PoolRevision.Written(newFamilies, newAddresses, List.of())))
        .compose(v -> AllocationStore.readPools(tx, unlocked))
        .map(more -> {
          Map<String, LockedPool> pools = new HashMap<>(locked);
          pools.putAll(more);
          for (AddJob job : jobs) {
            if (job.error != null) {
              continue;
            }
            if (job.existing != null) {
              job.response = respond(job.args, job.existing, pools, Map.of(), job.ctx.pod().annotations());
              continue;
            }
            List<Allocation> got = new ArrayList<>();
            Map<String, Boolean> clean = new HashMap<>();
            for (Entry e : job.entries) {
              got.add(new Allocation(job.args.containerID(), e.candidate.nic(), e.candidate.family(), e.address,
                  e.pool));
              clean.put(e.candidate.nic(), e.candidate.cleanGateway());
            }
            job.response = respond(job.args, got, pools, clean, job.ctx.pod().annotations());
          }
          return null;
        });
  }

  // ------------------------------------------------------------------------------------------- response

  /** IpamAddResponse for the allocations of one container (all its NICs), as convert.GenIPConfigResult builds it. */
  private AddResponse respond(AddArgs args, List<Allocation> allocations, Map<String, LockedPool> pools,
                              Map<String, Boolean> cleanByNic, Map<String, String> podAnnotations) {
    List<IpConfig> ips = new ArrayList<>();
    List<Route> routes = new ArrayList<>();
    Map<String, Cidr> subnetByNic = new LinkedHashMap<>();
    boolean noName = allocations.stream().allMatch(a -> a.ifName().chars().allMatch(Character::isDigit));
    List<Allocation> ordered = new ArrayList<>(allocations);
    ordered.sort((a, b) -> a.ifName().equals(b.ifName()) ? Integer.compare(a.family(), b.family())
        : a.ifName().compareTo(b.ifName()));
    List<Route[]> defaults = new ArrayList<>();
    for (Allocation a : ordered) {
      String nic = noName && a.ifName().equals("0") ? "eth0" : a.ifName();
      LockedPool lp = pools.get(a.pool());
      JsonNode spec = lp == null ? JSON.createObjectNode() : lp.body().path("spec");
      // null for a pool removed since: the address is still reported, with the host prefix
      Cidr subnet = Cidr.parse(spec.path("subnet").asText(null));
      // maskOnes: the prefix as the subnet is written, which is what the CNI result has always carried
      int prefix = subnet != null ? subnet.maskOnes() : (a.family() == 4 ? 32 : 128);
      String gateway = spec.path("gateway").asText("");
      // new Ip(family, number), not a re-parse: the stored number of its family is the address, printed as Go does
      ips.add(new IpConfig(new Ip(a.family(), a.address()) + "/" + prefix, gateway, a.pool(), nic,
          a.family(), 0, cfg.enableGatewayDetection(), cfg.enableIPConflictDetection()));
      if (subnet != null) {
        subnetByNic.put(nic + "/" + a.family(), subnet);
      }
      for (JsonNode r : spec.path("routes")) {
        routes.add(new Route(nic, r.path("dst").asText(), r.path("gw").asText()));
      }
      boolean clean = cleanByNic.getOrDefault(a.ifName(), args.cleanGateway());
      if (!gateway.isEmpty() && !clean) {
        defaults.add(new Route[] {new Route(nic, a.family() == 4 ? "0.0.0.0/0" : "::/0", gateway)});
      }
    }
    try {
      routes.addAll(customRoutes(podAnnotations, subnetByNic));
    } catch (IpamException malformed) {
      // checked before the request was queued; a pod annotation edited since is ignored here
    }
    defaults.forEach(d -> routes.add(d[0]));
    return new AddResponse(ips, routes);
  }

  /** ipam.spidernet.io/routes, each put on the NIC whose allocated subnet contains its gw. */
  private static List<Route> customRoutes(Map<String, String> annotations, Map<String, Cidr> subnetByNic) {
    String v = annotations.get(PoolSelection.ANNO_ROUTES);
    if (v == null || v.isBlank()) {
      return List.of();
    }
    List<Route> out = new ArrayList<>();
    try {
      for (JsonNode r : JSON.readTree(v)) {
        String gwText = r.path("gw").asText();
        Ip gw = Ip.parse(gwText);
        if (gw == null) {
          throw new IllegalArgumentException("invalid IP address \"" + gwText + "\"");
        }
        for (var e : subnetByNic.entrySet()) {
          if (e.getValue().contains(gw)) {
            String nic = e.getKey().substring(0, e.getKey().lastIndexOf('/'));
            out.add(new Route(nic, r.path("dst").asText(), r.path("gw").asText()));
            break;
          }
        }
      }
    } catch (Exception e) {
      throw new IpamException(STANDARD + "wrong input, invalid format of Pod annotation '"
          + PoolSelection.ANNO_ROUTES + "': " + e.getMessage());
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------- release

  /** One DEL waiting in a lane: by container+interface, or (batch) by pod. */
  private record ReleaseJob(String containerId, String ifName, String namespace, String name, String uid,
                            List<String> pools, Promise<Void> promise) {
    boolean byPod() {
      return containerId == null;
    }
  }

  /** DELETE /v1/ipam/ip: releases what this container holds on this interface; unknown ones succeed. */
  public Future<Void> release(DelArgs args) {
    return releaseUnobserved(args).onComplete(ar -> {
      metrics.onRelease("", ar.succeeded());
      LOG.atInfo().addKeyValue("container", args.containerID()).addKeyValue("interface", args.ifName())
          .addKeyValue("pod", args.podNamespace() + "/" + args.podName())
          .log(ar.succeeded() ? "released" : "release failed");
    });
  }

  private Future<Void> releaseUnobserved(DelArgs args) {
    return AllocationStore.poolsOfContainer(db, args.containerID(), args.ifName()).compose(pools -> {
      if (pools.isEmpty()) {
        return Future.succeededFuture();
      }
      ReleaseJob job = new ReleaseJob(args.containerID(), args.ifName(), null, null, null, pools,
          Promise.promise());
      releaseLanes.submit(cfg.lanePerPoolSet() ? String.join(",", new TreeSet<>(pools)) : "*", job);
      return job.promise().future();
    });
  }

  /** DELETE /v1/ipam/ips: releases every address of the pod (all containers and interfaces). */
  public Future<Void> releasePod(BatchDelArgs args) {
    return AllocationStore.poolsOfPod(db, args.podNamespace(), args.podName(), args.podUID()).compose(pools -> {
      if (pools.isEmpty()) {
        return Future.succeededFuture();
      }
      ReleaseJob job = new ReleaseJob(null, null, args.podNamespace(), args.podName(),
          args.podUID() == null ? "" : args.podUID(), pools, Promise.promise());
      releaseLanes.submit(cfg.lanePerPoolSet() ? String.join(",", new TreeSet<>(pools)) : "*", job);
      return job.promise().future();
    });
  }

  private Future<?> runReleases(List<ReleaseJob> jobs) {
    return db.withTransaction(tx -> releaseBatch(tx, jobs)).onComplete(ar -> {
      for (ReleaseJob job : jobs) {
        if (ar.failed()) {
          job.promise().tryFail(new IpamException("failed to release IP addresses: " + ar.cause().getMessage()));
        } else {
          job.promise().tryComplete();
        }
      }
    });
  }

  private Future<Void> releaseBatch(SqlConnection tx, List<ReleaseJob> jobs) {
    List<ReleaseJob> byContainer = jobs.stream().filter(j -> !j.byPod()).toList();
    List<ReleaseJob> byPod = jobs.stream().filter(ReleaseJob::byPod).toList();
    Set<String> pools = new TreeSet<>();
    jobs.forEach(j -> pools.addAll(j.pools()));
    Set<String> changed = new TreeSet<>();
    List<Long> events = new ArrayList<>();
    Released none = new Released(List.of(), List.of());
    // Lock first: the deletes lower the pools' hints, which must not race an allocation on the same pool.
    return AllocationStore.lockPools(tx, pools)
        .compose(v -> byContainer.isEmpty() ? Future.succeededFuture(none)
            : AllocationStore.releaseContainers(tx, byContainer.stream().map(ReleaseJob::containerId).toList(),
                byContainer.stream().map(ReleaseJob::ifName).toList()))
        .compose(r1 -> {
          changed.addAll(r1.pools());
          events.addAll(r1.eventIds());
          return byPod.isEmpty() ? Future.succeededFuture(none)
              : AllocationStore.releasePods(tx, byPod.stream().map(ReleaseJob::namespace).toList(),
                  byPod.stream().map(ReleaseJob::name).toList(), byPod.stream().map(ReleaseJob::uid).toList());
        })
        .compose(r2 -> {
          changed.addAll(r2.pools());
          events.addAll(r2.eventIds());
          return PoolRevision.changed(tx, changed, new PoolRevision.Written(List.of(), List.of(), events));
        });
  }
}
