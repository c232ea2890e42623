package io.ippool.ipam;

import io.ippool.metrics.AllocationMetrics;

import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.AddResponse;
import io.ippool.ipam.IpamModels.BatchDelArgs;
import io.ippool.ipam.IpamModels.DelArgs;
import io.ippool.ipam.IpamModels.IpConfig;
import io.ippool.ipam.internal.Lanes;
import io.ippool.spiderpool.Allocation;
import io.ippool.spiderpool.InvalidPoolSelection;
import io.ippool.spiderpool.IpamMessages;
import io.ippool.spiderpool.PoolSelection;
import io.ippool.spiderpool.PoolSelection.Candidate;
import io.ippool.spiderpool.PoolCatalogEntry;
import io.ippool.spiderpool.Release;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Map;

/**
 * Spiderpool's IPAM (section d of the spec) on PostgreSQL.
 *
 * <p>Atomicity: each batch of ADDs is one statement, and so one transaction ({@link AddBatch}), that first
 * locks every candidate pool of every request in it ({@code SELECT ... FOR UPDATE}, pool-name order, so
 * transactions never deadlock), reads reservations after taking the locks, and inserts the allocations; the
 * unique key on (family, address) makes a duplicate address impossible even across server processes. All
 * NICs and families of one request succeed or fail together.
 *
 * <p>Throughput: requests for the same set of candidate pools that arrive while a batch for that set is
 * running are coalesced into the next one (one lock, one resourceVersion bump and one event per pool, one
 * commit). Releases are coalesced into one lane, each batch one statement as well.
 */
public final class Allocator {
  static final String STANDARD = IpamMessages.STANDARD;

  private final AllocationRepository repository;
  private final KubeMetadata meta;
  private final AllocatorConfig cfg;
  private volatile AllocationMetrics metrics = AllocationMetrics.NONE;
  private volatile boolean statefulSetAddresses = true;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Allocator.class);
  private final Lanes<AddBatch.Job> addLanes;
  private final Lanes<ReleaseJob> releaseLanes;

  public Allocator(AllocationRepository repository, KubeMetadata meta, AllocatorConfig cfg) {
    this.repository = repository;
    this.meta = meta;
    this.cfg = cfg;
    PlannedPools planned = new PlannedPools(repository);
    this.addLanes = new Lanes<>(cfg.maxBatch(), cfg.inFlightPerLane(), jobs -> AddBatch.run(repository, planned, cfg, jobs));
    this.releaseLanes = new Lanes<>(cfg.maxBatch(), cfg.inFlightPerLane(), this::runReleases);
  }

  /** Which pods a node identity may allocate and release for. */
  public NodeScope nodeScope() {
    return new NodeScope(meta);
  }

  public AllocatorConfig config() {
    return cfg;
  }

  /** GET /v1/ipam/healthy: the database answers. */
  public Future<Void> healthy() {
    return repository.ping();
  }

  // ------------------------------------------------------------------------------------------------ ADD

  /** POST /v1/ipam/ip. Fails with {@link IpamException} carrying Spiderpool's error text. */
  /** Reports every allocation and release to {@code sink} (Prometheus counters, latency). */
  public Allocator withMetrics(AllocationMetrics sink) {
    this.metrics = sink;
    return this;
  }

  /**
   * StatefulSet pods keep their addresses across re-creation while they are valid replicas (Spiderpool's
   * enableStatefulSet, on by default in its chart); only effective with a cluster, which names pods' controllers.
   */
  public Allocator withStatefulSetAddresses(boolean on) {
    this.statefulSetAddresses = on;
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
        String reason = failureReason(message);
        List<String> pools = ar.cause() instanceof IpamException ie ? ie.pools() : List.of();
        if (pools.isEmpty()) {
          metrics.onFailure("", reason);
        } else {
          // Each pool that refused is counted, so "which pool runs out" is answerable per pool.
          pools.forEach(p -> metrics.onFailure(p, reason));
        }
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

  /**
   * Checks the request, picks the candidates and queues it in its pools' lane. Whether the container already
   * holds the interface (a CNI retry) is answered inside the batch; only a request that cannot be planned any
   * more (say, its pool annotation was removed) looks it up here, so a retry still gets its addresses.
   */
  private Future<AddResponse> allocateUnobserved(AddArgs args) {
    String podKey = args.podNamespace() + "/" + args.podName();
    return meta.pod(args.podNamespace(), args.podName()).compose(pod -> {
      if (!pod.alive()) {
        return Future.failedFuture(new IpamException("dead Pod " + podKey
            + ", we cannot allocate IP addresees to it"));
      }
      return meta.namespace(args.podNamespace()).compose(ns -> meta.nodeLabels(pod.nodeName()).compose(node -> {
        PodContext ctx = new PodContext(args.podNamespace(), args.podName(), pod, ns, node);
        try {
          AddResponses.customRoutes(pod.annotations(), Map.of());
        } catch (IpamException e) {
          return Future.failedFuture(e);
        }
        return candidates(args, ctx).compose(cands -> {
          AddBatch.Job job = new AddBatch.Job(args, ctx, cands);
          return adoptIfStatefulSet(args, pod, job).compose(moved -> {
            addLanes.submit(cfg.lanePerPoolSet() ? String.join(",", job.poolNames()) : "*", job);
            return job.promise.future();
          });
        }, unplannable -> alreadyHeld(args).compose(held -> held != null ? Future.succeededFuture(held)
            : Future.failedFuture(unplannable)));
      }));
    });
  }

  /**
   * A StatefulSet pod re-created under its name gets its predecessor's addresses back: they move to this
   * container before the ADD is queued, which then answers them as the container's own.
   */
  private Future<Integer> adoptIfStatefulSet(AddArgs args, KubeMetadata.Pod pod, AddBatch.Job job) {
    if (!statefulSetAddresses || pod.controller() == null || !pod.controller().isStatefulSet()
        || args.podUID() == null || args.podUID().isEmpty()) {
      return Future.succeededFuture(0);
    }
    return repository.adoptStatefulSetAddresses(args.podNamespace(), args.podName(), args.podUID(),
        args.containerID(), pod.nodeName(), job.poolNames()).onSuccess(moved -> {
          if (moved > 0) {
            LOG.atInfo().addKeyValue("pod", args.podNamespace() + "/" + args.podName())
                .addKeyValue("podUID", args.podUID()).addKeyValue("addresses", moved)
                .log("StatefulSet pod keeps its predecessor's addresses");
          }
        });
  }

  /** What the container holds when it already has the interface (a repeated ADD), else null. */
  private Future<AddResponse> alreadyHeld(AddArgs args) {
    return repository.byContainerOfPod(args.containerID(), args.podUID()).compose(existing -> {
      if (existing.stream().noneMatch(a -> a.ifName().equals(args.ifName()))) {
        return Future.succeededFuture(null);
      }
      return repository.readPools(existing.stream().map(Allocation::pool).toList())
          .map(pools -> AddResponses.of(cfg, args, existing, pools, Map.of(), Map.of()));
    });
  }

  /** Pool selection, reading the pool catalog only when the rule that applies needs it. */
  private Future<List<Candidate>> candidates(AddArgs args, PodContext ctx) {
    PoolSelection.Request req = new PoolSelection.Request(args.ifName(), args.cleanGateway(),
        args.defaultIPv4IPPool(), args.defaultIPv6IPPool(), ctx.pod().annotations(), ctx.ns().annotations());
    return select(req, null).compose(selection -> selection instanceof PoolSelection.Chosen chosen
        ? Future.succeededFuture(chosen.candidates())
        : repository.catalog().compose(catalog -> select(req, catalog)).compose(again ->
            again instanceof PoolSelection.Chosen chosen ? Future.succeededFuture(chosen.candidates())
                : Future.failedFuture(new IllegalStateException("pool selection needs the catalog it was given"))))
        .compose(Allocator::nonEmpty);
  }

  private Future<PoolSelection.Selection> select(PoolSelection.Request req, List<PoolCatalogEntry> catalog) {
    try {
      return Future.succeededFuture(PoolSelection.candidates(req, catalog, cfg.selection()));
    } catch (InvalidPoolSelection e) {
      return Future.failedFuture(new IpamException(STANDARD + e.getMessage()));
    }
  }

  /**
   * The error a caller gets when the database failed its request: Spiderpool's prefix and a generic reason.
   * The driver's text names tables and constraints and goes to the log only.
   */
  static IpamException storeFailure(String prefix, Throwable cause) {
    LOG.atWarn().setCause(cause).log("IPAM statement failed");
    return new IpamException(prefix + "the IPAM database could not serve the request, retry");
  }

  private static Future<List<Candidate>> nonEmpty(List<Candidate> c) {
    return c.isEmpty() ? Future.failedFuture(new IpamException(STANDARD + IpamMessages.NO_RULES))
        : Future.succeededFuture(c);
  }

  // -------------------------------------------------------------------------------------------- release

  /** One DEL waiting in the release lane. */
  private record ReleaseJob(Release release, Promise<Void> promise) {
  }

  /**
   * DELETE /v1/ipam/ip: releases what this container holds on this interface, and what `import` copied from
   * Spiderpool for this pod's UID on it; unknown ones succeed.
   */
  public Future<Void> release(DelArgs args) {
    return releaseUnobserved(args).onComplete(ar -> {
      metrics.onRelease("", ar.succeeded());
      LOG.atInfo().addKeyValue("container", args.containerID()).addKeyValue("interface", args.ifName())
          .addKeyValue("pod", args.podNamespace() + "/" + args.podName())
          .log(ar.succeeded() ? "released" : "release failed");
    });
  }

  private Future<Void> releaseUnobserved(DelArgs args) {
    if (meta.clusterBacked()) {
      // A DEL for a pod that is still alive is kubelet re-creating its sandbox: the pod keeps its addresses.
      // Asked of kube-apiserver itself, not the informer, which may lag behind a deletion.
      return meta.livePod(args.podNamespace(), args.podName()).compose(pod -> {
        if (pod.isPresent() && pod.get().alive()
            && (args.podUID() == null || args.podUID().isEmpty() || args.podUID().equals(pod.get().uid()))) {
          LOG.atInfo().addKeyValue("pod", args.podNamespace() + "/" + args.podName())
              .addKeyValue("container", args.containerID()).log("pod is alive, keeping its addresses");
          return Future.succeededFuture();
        }
        return queueDel(args);
      }, e -> Future.failedFuture(new IpamException("failed to get Pod " + args.podNamespace() + "/"
          + args.podName() + ": " + e.getMessage())));
    }
    return queueDel(args);
  }

  private Future<Void> queueDel(DelArgs args) {
    return queueRelease(new ReleaseJob(new Release(args.containerID(), args.ifName(),
        args.podNamespace(), args.podName(), args.podUID()), Promise.promise()));
  }

  /** DELETE /v1/ipam/ips: releases every address of the pod (all containers and interfaces). */
  public Future<Void> releasePod(BatchDelArgs args) {
    return queueRelease(new ReleaseJob(new Release(null, null, args.podNamespace(), args.podName(),
        args.podUID()), Promise.promise()));
  }

  // One lane for every release: the batch statement finds and locks the pools itself, so there is nothing to
  // gain from keeping batches per pool apart (they would only commit one after another).
  private Future<Void> queueRelease(ReleaseJob job) {
    releaseLanes.submit("*", job);
    return job.promise().future();
  }

  /** As an allocation batch: a batch the database refused is served again in halves, down to single DELs. */
  private Future<Void> runReleases(List<ReleaseJob> jobs) {
    return repository.release(jobs.stream().map(ReleaseJob::release).toList()).transform(ar -> {
      if (ar.failed() && jobs.size() > 1 && repository.isRejection(ar.cause())) {
        List<ReleaseJob> first = List.copyOf(jobs.subList(0, jobs.size() / 2));
        List<ReleaseJob> second = List.copyOf(jobs.subList(jobs.size() / 2, jobs.size()));
        return runReleases(first).transform(x -> runReleases(second));
      }
      for (ReleaseJob job : jobs) {
        if (ar.failed()) {
          job.promise().tryFail(storeFailure("failed to release IP addresses: ", ar.cause()));
        } else {
          job.promise().tryComplete();
        }
      }
      return Future.succeededFuture();
    });
  }
}
