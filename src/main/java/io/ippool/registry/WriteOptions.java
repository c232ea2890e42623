package io.ippool.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Query options every write carries. {@code fieldValidation} is Strict, Warn (the server default) or Ignore.
 */
public record WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, String userAgent,
                           ObjectNode applyFields) {

  public WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, String userAgent) {
    this(dryRun, fieldManager, fieldValidation, userAgent, null);
  }

  /** The same options for a server-side apply whose applied configuration owns {@code fields} (FieldsV1). */
  public WriteOptions forApply(ObjectNode fields) {
    return new WriteOptions(dryRun, fieldManager, fieldValidation, userAgent, fields);
  }

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
