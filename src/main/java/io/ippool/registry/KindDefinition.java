package io.ippool.registry;

import io.ippool.api.ResourceKind;

/** One served kind with everything the generic verbs need. */
public record KindDefinition(ResourceKind kind, KindSchema schema, KindAdmission admission, KindTable table,
                             String storageVersionHash, OwnFinalizers ownFinalizers) {
  /** The same kind with another admission (the cluster's webhooks around it, or none while importing). */
  public KindDefinition withAdmission(KindAdmission other) {
    return new KindDefinition(kind, schema, other, table, storageVersionHash, ownFinalizers);
  }
}
