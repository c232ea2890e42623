package io.ippool.spiderpool;

/** Why the collector reclaims an address; the label of the metric and the reason in the allocation history. */
public enum GcReason {
  /** The pod no longer exists (force-deleted, or its DEL never came). */
  POD_DELETED("pod_deleted"),
  /** A pod of the same name exists with another UID: the address belonged to its predecessor. */
  POD_UID_CHANGED("pod_uid_changed"),
  /** A stateless pod has been terminating longer than its grace period plus the additional delay. */
  TERMINATING_PAST_GRACE("terminating_past_grace"),
  /** Succeeded without restartPolicy Always, Failed with Never, or Evicted: its containers never run again. */
  POD_FINISHED("pod_finished"),
  /** The node the address was handed out on no longer exists. */
  NODE_DELETED("node_deleted"),
  /** A StatefulSet pod whose ordinal is no longer below the StatefulSet's replicas. */
  STATEFULSET_SCALED_DOWN("statefulset_scaled_down"),
  /** A StatefulSet pod whose StatefulSet is gone. */
  STATEFULSET_DELETED("statefulset_deleted"),
  /** A re-created StatefulSet pod that may no longer use the pool its predecessor's address came from. */
  STATEFULSET_POOL_CHANGED("statefulset_pool_changed");

  private final String label;

  GcReason(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
