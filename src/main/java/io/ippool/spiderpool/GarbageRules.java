package io.ippool.spiderpool;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which allocations Spiderpool's collector reclaims: given who holds an address and what the cluster says about
 * that pod now, a reason to reclaim it, or none.
 *
 * <p>A StatefulSet pod (with StatefulSet support on) is kept while it is a valid replica, that is while its
 * StatefulSet exists and its ordinal is below the replica count, even when it is gone or re-created: the next
 * ADD under the same name moves the addresses to the new pod.
 */
public final class GarbageRules {

  /** One pod identity holding addresses, as the allocation rows and the pod's SpiderEndpoint record it. */
  public record Holder(String namespace, String pod, String uid, String container, String node, String ownerType,
                       String ownerName) {
    boolean statefulSet() {
      return TopController.STATEFUL_SET.equals(ownerType);
    }
  }

  /** What the collector can ask the cluster; answers come from informer caches. */
  public interface Cluster {
    /** The pod now, or null when there is none. */
    PodState podNow(String namespace, String name);

    boolean nodeExists(String name);

    /** spec.replicas of a StatefulSet, empty when there is no such StatefulSet. */
    OptionalInt statefulSetReplicas(String namespace, String name);
  }

  private final Duration additionalGraceDelay;
  private final boolean statefulSetSupport;

  public GarbageRules(Duration additionalGraceDelay, boolean statefulSetSupport) {
    this.additionalGraceDelay = additionalGraceDelay;
    this.statefulSetSupport = statefulSetSupport;
  }

  public Optional<GcReason> verdict(Holder h, Cluster cluster, Instant now) {
    PodState pod = cluster.podNow(h.namespace(), h.pod());
    boolean sts = statefulSetSupport && (h.statefulSet() || pod != null && h.uid().equals(pod.uid())
        && pod.controller() != null && pod.controller().isStatefulSet());
    String stsName = h.statefulSet() ? h.ownerName()
        : pod != null && pod.controller() != null ? pod.controller().name() : null;
    if (pod == null || !pod.uid().equals(h.uid())) {
      if (sts) {
        return replicaVerdict(h, cluster, stsName);
      }
      return Optional.of(pod == null ? GcReason.POD_DELETED : GcReason.POD_UID_CHANGED);
    }
    if (h.node() != null && !h.node().isEmpty() && !cluster.nodeExists(h.node())) {
      return Optional.of(GcReason.NODE_DELETED);
    }
    if (pod.deletionTimestamp() != null) {
      if (now.isBefore(terminationDeadline(pod))) {
        return Optional.empty();
      }
      return sts ? replicaVerdict(h, cluster, stsName) : Optional.of(GcReason.TERMINATING_PAST_GRACE);
    }
    if (pod.finished()) {
      return Optional.of(GcReason.POD_FINISHED);
    }
    return Optional.empty();
  }

  /**
   * When a terminating pod's addresses may go: kube sets deletionTimestamp to the end of the grace period
   * already; Spiderpool waits the grace period once more, plus the additional delay, before it collects, which
   * covers a kubelet slow to run the DEL.
   */
  public Instant terminationDeadline(PodState pod) {
    return pod.deletionTimestamp().plusSeconds(pod.deletionGraceSeconds()).plus(additionalGraceDelay);
  }

  private static Optional<GcReason> replicaVerdict(Holder h, Cluster cluster, String stsName) {
    OptionalInt replicas = stsName == null ? OptionalInt.empty()
        : cluster.statefulSetReplicas(h.namespace(), stsName);
    if (replicas.isEmpty()) {
      return Optional.of(GcReason.STATEFULSET_DELETED);
    }
    int ordinal = ordinal(h.pod(), stsName);
    return ordinal >= 0 && ordinal < replicas.getAsInt() ? Optional.empty()
        : Optional.of(GcReason.STATEFULSET_SCALED_DOWN);
  }

  /** A StatefulSet's pods are named {@code <statefulset>-<ordinal>}; -1 when the name does not fit. */
  static int ordinal(String pod, String statefulSet) {
    String prefix = statefulSet + "-";
    if (!pod.startsWith(prefix) || pod.length() == prefix.length()) {
      return -1;
    }
    String digits = pod.substring(prefix.length());
    if (!digits.chars().allMatch(Character::isDigit) || digits.length() > 9) {
      return -1;
    }
    return Integer.parseInt(digits);
  }
}
