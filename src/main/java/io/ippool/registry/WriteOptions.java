package io.ippool.registry;

/**
 * Query options every write carries. {@code fieldValidation} is Strict, Warn (the server default) or Ignore.
 */
public record WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, String userAgent) {

  /** The manager recorded in managedFields: fieldManager, else the User-Agent's product token. */
  public String manager() {
    if (fieldManager != null && !fieldManager.isEmpty()) {
      return fieldManager;
    }
    if (userAgent == null || userAgent.isEmpty()) {
      return "unknown";
    }
    int slash = userAgent.indexOf('/');
    return slash > 0 ? userAgent.substring(0, slash) : userAgent;
  }
}
