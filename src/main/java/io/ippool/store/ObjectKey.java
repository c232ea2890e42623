package io.ippool.store;

import io.ippool.api.ResourceKind;

/** Identifies one stored object. {@code namespace} is "" for cluster-scoped kinds. */
public record ObjectKey(ResourceKind kind, String namespace, String name) {
  public ObjectKey {
    namespace = namespace == null ? "" : namespace;
  }
}
