package io.ippool.ipam;

import io.ippool.spiderpool.Spiderpool;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.ipam.AllocationRepository.BatchRequest;
import io.ippool.ipam.AllocationRepository.EntryAnswer;
import io.ippool.ipam.AllocationRepository.EntryRequest;
import io.ippool.ipam.AllocationRepository.JobAnswer;
import io.ippool.ipam.AllocationRepository.PodHolder;
import io.ippool.ipam.AllocationRepository.JobRequest;
import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.AddResponse;
import io.ippool.spiderpool.IpamMessages;
import io.ippool.spiderpool.PoolSelection;
import io.ippool.spiderpool.PoolSelection.Candidate;
import io.ippool.spiderpool.Allocation;
import io.ippool.spiderpool.StoredPool;
import io.ippool.spiderpool.PoolSpecs;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.ippool.spiderpool.TopController;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One coalesced batch of ADDs: takes the candidate pools as last read ({@link PlannedPools}), applies
 * Spiderpool's filters and priority order to them in Java, and sends the whole batch as one statement
 * ({@code ipam_allocate_batch}), which locks the pools, allocates and publishes. If a pool changed since it
 * was read (the statement compares fingerprints and then changes nothing), the batch is planned again from
 * a fresh read.
 */
final class AddBatch {
  /** Pool edits racing one batch this many times in a row are not a race any more: give up. */
  static final int MAX_ATTEMPTS = 8;

  private final AllocationRepository repository;
  private final PlannedPools planned;
  private final AllocatorConfig cfg;
  private final List<Job> jobs;
  private Map<String, StoredPool> pools = Map.of();

  /** One ADD waiting for, then served by, a batch. */
  static final class Job {
    final AddArgs args;
    final PodContext ctx;
    final List<Candidate> candidates;
    final Promise<AddResponse> promise = Promise.promise();
    final List<Entry> entries = new ArrayList<>();
    List<Allocation> existing;
    String error;
    /** The pools {@link #error} concerns, so a failure is counted against them rather than against no pool. */
    List<String> errorPools = List.of();
    AddResponse response;

    Job(AddArgs args, PodContext ctx, List<Candidate> candidates) {
      this.args = args;
      this.ctx = ctx;
      this.candidates = candidates;
    }

    Set<String> poolNames() {
      Set<String> out = new TreeSet<>();
      candidates.forEach(c -> out.addAll(c.pools()));
      return out;
    }
  }

  /** One (NIC, family) of a job, with its usable pools in the order to try them, and what it got. */
  private static final class Entry {
    final Candidate candidate;
    final List<String> ordered;
    Allocation got;

    Entry(Candidate candidate, List<String> ordered) {
      this.candidate = candidate;
      this.ordered = ordered;
    }
  }

  private AddBatch(AllocationRepository repository, PlannedPools planned, AllocatorConfig cfg, List<Job> jobs) {
    this.repository = repository;
    this.planned = planned;
    this.cfg = cfg;
    this.jobs = jobs;
  }

  /**
   * Serves the jobs: completes each job's promise. When the batch as a whole fails (its statement failed,
   * so nothing of it was committed), its halves are served again one after the other, down to single jobs:
   * whatever one request did to the statement fails that request alone, and the others are served.
   */
  static Future<Void> run(AllocationRepository repository, PlannedPools planned, AllocatorConfig cfg, List<Job> jobs) {
    AddBatch batch = new AddBatch(repository, planned, cfg, jobs);
    return batch.attempt(1).transform(ar -> {
      if (ar.failed() && jobs.size() > 1 && repository.isRejection(ar.cause())) {
        List<Job> first = List.copyOf(jobs.subList(0, jobs.size() / 2));
        List<Job> second = List.copyOf(jobs.subList(jobs.size() / 2, jobs.size()));
        return run(repository, planned, cfg, first).transform(x -> run(repository, planned, cfg, second));
      }
      for (Job job : jobs) {
        if (ar.failed()) {
          job.promise.tryFail(ar.cause() instanceof IpamException e ? e
              : Allocator.storeFailure(IpamMessages.STANDARD, ar.cause()));
        } else if (job.error != null) {
          job.promise.tryFail(new IpamException(job.error, job.errorPools));
        } else {
          job.promise.tryComplete(job.response);
        }
      }
      return Future.succeededFuture();
    });
  }

  private Future<Void> attempt(int n) {
    Set<String> names = new TreeSet<>();
    jobs.forEach(j -> names.addAll(j.poolNames()));
    return (n == 1 ? planned.get(names) : planned.fresh(names)).compose(read -> {
      pools = read;
      jobs.forEach(this::plan);
      return repository.allocate(request());
    }).compose(answer -> {
      if (answer.stale()) {
        return n < MAX_ATTEMPTS ? attempt(n + 1)
            : Future.failedFuture(new IpamException("IPPools kept changing while allocating, retry"));
      }
      settle(answer.jobs());
      return respond();
    });
  }

  /** Spiderpool's precheck, filter and sort of each candidate of the job into an Entry, or the job's error. */
  private void plan(Job job) {
    job.entries.clear();
    job.error = null;
    job.errorPools = List.of();
    for (Candidate c : job.candidates) {
      List<ObjectNode> usable = new ArrayList<>();
      List<String> reasons = new ArrayList<>();
      for (String p : c.pools()) {
        StoredPool pool = pools.get(p);
        if (pool == null) {
          job.error = IpamMessages.STANDARD + "failed to get original IPPool " + p
              + ": " + Spiderpool.IPPOOL.groupResource() + " \"" + p + "\" not found";
          job.errorPools = List.of(p);
          job.entries.clear();
          return;
        }
        String why = PoolSelection.rejection(pool.body(), c, job.ctx.facts(), cfg.selection());
        if (why == null) {
          usable.add(pool.body());
        } else {
          reasons.add(why);
        }
      }
      if (usable.isEmpty()) {
        job.error = IpamMessages.STANDARD + "no IPPool available, all IPv" + c.family() + " IPPools "
            + IpamMessages.goList(c.pools()) + " of " + c.nic() + " filtered out: "
            + IpamMessages.aggregate(reasons);
        job.errorPools = c.pools();
        job.entries.clear();
        return;
      }
      job.entries.add(new Entry(c, PoolSelection.sorted(usable).stream().map(PoolSpecs::name).toList()));
    }
  }

  /**
   * The batch as planned. Every pool read is sent with its fingerprint, the filtered-out ones too: the answer
   * then holds for the pools exactly as they were filtered.
   */
  private BatchRequest request() {
    Map<String, String> fingerprints = new LinkedHashMap<>();
    pools.values().forEach(p -> fingerprints.put(p.name(), p.fingerprint()));
    List<JobRequest> requests = new ArrayList<>();
    for (Job job : jobs) {
      List<EntryRequest> entries = new ArrayList<>();
      for (Entry e : job.entries) {
        entries.add(new EntryRequest(e.candidate.nic(), e.candidate.family(), e.ordered));
      }
      // The pod's SpiderEndpoint names its top controller; without a cluster the pod is its own.
      TopController owner = job.ctx.pod().controller();
      requests.add(new JobRequest(job.args.containerID(), job.args.ifName(), job.args.podNamespace(),
          job.args.podName(), job.args.podUID(), job.ctx.pod().nodeName() == null ? "" : job.ctx.pod().nodeName(),
          owner == null ? TopController.POD : owner.type(), owner == null ? job.args.podName() : owner.name(),
          entries));
    }
    return new BatchRequest(fingerprints, cfg.maxAllocatedIPs(), requests);
  }

  private void settle(List<JobAnswer> answers) {
    for (int i = 0; i < jobs.size(); i++) {
      Job job = jobs.get(i);
      JobAnswer answer = answers.get(i);
      if (answer.conflict() != null) {
        PodHolder holder = answer.conflict();
        job.error = IpamMessages.STANDARD + "container ID " + job.args.containerID() + " belongs to Pod "
            + holder.namespace() + "/" + holder.pod() + " (UID " + holder.uid() + "), not to Pod "
            + job.args.podNamespace() + "/" + job.args.podName() + " (UID " + job.args.podUID() + ")";
        continue;
      }
      if (answer.existing() != null) {
        job.error = null;
        job.existing = new ArrayList<>(answer.existing());
        continue;
      }
      List<EntryAnswer> got = answer.entries();
      for (int k = 0; k < got.size(); k++) {
        Entry e = job.entries.get(k);
        EntryAnswer g = got.get(k);
        if (g.reasons() != null) {
          job.error = exhaustedError(e, g.reasons());
          job.errorPools = e.ordered;
          break;
        }
        e.got = g.got();
      }
    }
  }

  /** One reason per pool of the entry, in the order they were tried. */
  private String exhaustedError(Entry e, List<String> reasons) {
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < reasons.size(); i++) {
      errors.add("threshold".equals(reasons.get(i))
          ? IpamMessages.USED_OUT + ", threshold of IP records(<=" + cfg.maxAllocatedIPs() + ") for IPPool "
              + e.ordered.get(i) + " exceeded"
          : IpamMessages.USED_OUT);
    }
    String agg = IpamMessages.aggregate(errors);
    return IpamMessages.STANDARD + "failed to allocate any IPv" + e.candidate.family() + " IP address to NIC "
        + e.candidate.nic() + " from IPPools " + IpamMessages.goList(e.ordered) + ": " + agg
        + (agg.equals(IpamMessages.USED_OUT) ? IpamMessages.EXHAUSTED_SUFFIX : "");
  }

  /** Builds each successful job's response; pools not read for planning (repeats) are read first. */
  private Future<Void> respond() {
    Set<String> missing = new HashSet<>();
    for (Job job : jobs) {
      if (job.error != null) {
        continue;
      }
      List<Allocation> held = job.existing != null ? job.existing
          : job.entries.stream().map(e -> e.got).toList();
      held.stream().map(Allocation::pool).filter(p -> !pools.containsKey(p)).forEach(missing::add);
    }
    Future<Map<String, StoredPool>> more = missing.isEmpty() ? Future.succeededFuture(Map.of())
        : repository.readPools(missing);
    return more.map(extra -> {
      Map<String, StoredPool> all = new HashMap<>(pools);
      all.putAll(extra);
      for (Job job : jobs) {
        if (job.error != null) {
          continue;
        }
        Map<String, String> annotations = job.ctx.pod().annotations();
        if (job.existing != null) {
          job.response = AddResponses.of(cfg, job.args, job.existing, all, Map.of(), annotations);
          continue;
        }
        Map<String, Boolean> clean = new HashMap<>();
        job.entries.forEach(e -> clean.put(e.candidate.nic(), e.candidate.cleanGateway()));
        job.response = AddResponses.of(cfg, job.args, job.entries.stream().map(e -> e.got).toList(), all,
            clean, annotations);
      }
      return null;
    });
  }
}
