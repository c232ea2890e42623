package io.ippool.registry;

import io.ippool.auth.UserInfo;

/**
 * metav1.DeleteOptions as far as custom resources honour them (no graceful deletion), and who deletes (null for
 * the server's own deletes), which the cluster's admission webhooks receive.
 */
public record DeleteOptions(boolean dryRun, String propagationPolicy, Boolean orphanDependents,
                            String preconditionUid, String preconditionResourceVersion, UserInfo user) {
  public DeleteOptions(boolean dryRun, String propagationPolicy, Boolean orphanDependents, String preconditionUid,
                       String preconditionResourceVersion) {
    this(dryRun, propagationPolicy, orphanDependents, preconditionUid, preconditionResourceVersion, null);
  }

  public static DeleteOptions defaults() {
    return new DeleteOptions(false, null, null, null, null);
  }
}
