package io.ippool.spiderpool;

import java.time.Instant;

/**
 * What Spiderpool's IPAM and collector read of a pod, framework-free.
 *
 * @param uid                    metadata.uid
 * @param nodeName               spec.nodeName, null when not scheduled
 * @param deletionTimestamp      metadata.deletionTimestamp, null when not terminating
 * @param deletionGraceSeconds   metadata.deletionGracePeriodSeconds, else spec.terminationGracePeriodSeconds, else 30
 * @param phase                  status.phase (may be null)
 * @param restartPolicy          spec.restartPolicy (may be null)
 * @param statusReason           status.reason, e.g. Evicted (may be null)
 * @param controller             the pod's top controller
 */
public record PodState(String uid, String nodeName, Instant deletionTimestamp, long deletionGraceSeconds,
                       String phase, String restartPolicy, String statusReason, TopController controller) {

  /**
   * Spiderpool's IsPodAlive: not terminating, not Succeeded without restartPolicy Always, not Failed with
   * restartPolicy Never, not Evicted.
   */
  public boolean alive() {
    return deletionTimestamp == null && !finished();
  }

  /** Ended for good: kubelet will not start its containers again. */
  public boolean finished() {
    if ("Succeeded".equals(phase) && !"Always".equals(restartPolicy)) {
      return true;
    }
    return "Failed".equals(phase) && ("Never".equals(restartPolicy) || "Evicted".equals(statusReason));
  }
}
