package io.ippool.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.auth.UserInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Query options every write carries. {@code fieldValidation} is Strict, Warn (the server default) or Ignore.
 * {@code user} (null for the server's own writes) and {@code patch} feed the admission attributes the cluster's
 * webhooks receive; {@code admissionWarnings} collects what admission warns about, for the response.
 */
public record WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, String userAgent,
                           ObjectNode applyFields, UserInfo user, boolean patch, List<String> admissionWarnings) {

  public WriteOptions {
    admissionWarnings = admissionWarnings == null ? new CopyOnWriteArrayList<>() : admissionWarnings;
  }

  public WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, String userAgent,
                      ObjectNode applyFields) {
    this(dryRun, fieldManager, fieldValidation, userAgent, applyFields, null, false, null);
  }

  public WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, String userAgent) {
    this(dryRun, fieldManager, fieldValidation, userAgent, null);
  }

  /** The same options for a server-side apply whose applied configuration owns {@code fields} (FieldsV1). */
  public WriteOptions forApply(ObjectNode fields) {
    return new WriteOptions(dryRun, fieldManager, fieldValidation, userAgent, fields, user, true, admissionWarnings);
  }

  /** The same options on behalf of {@code who}. */
  public WriteOptions withUser(UserInfo who) {
    return new WriteOptions(dryRun, fieldManager, fieldValidation, userAgent, applyFields, who, patch,
        admissionWarnings);
  }

  /** The same options for a PATCH (admission names PatchOptions). */
  public WriteOptions forPatch() {
    return new WriteOptions(dryRun, fieldManager, fieldValidation, userAgent, applyFields, user, true,
        admissionWarnings);
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
