package io.ippool.registry;

import io.ippool.api.ResourceKind;

/** One served kind with everything the generic verbs need. */
public record KindDefinition(ResourceKind kind, KindSchema schema, KindAdmission admission, KindTable table,
                             String storageVersionHash) {
}
