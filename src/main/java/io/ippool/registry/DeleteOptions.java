package io.ippool.registry;

/** metav1.DeleteOptions as far as custom resources honour them (no graceful deletion). */
public record DeleteOptions(boolean dryRun, String propagationPolicy, Boolean orphanDependents,
                            String preconditionUid, String preconditionResourceVersion) {
  public static DeleteOptions defaults() {
    return new DeleteOptions(false, null, null, null, null);
  }
}
