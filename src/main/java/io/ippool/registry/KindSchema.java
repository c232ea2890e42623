package io.ippool.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import java.util.List;

/** The structural-schema operations kube-apiserver applies to a custom resource body. */
public interface KindSchema {
  /** Paths of fields the schema does not know, as kube words them ("spec.foo"). */
  List<String> unknownFields(ObjectNode obj);

  /** Removes unknown fields. */
  void prune(ObjectNode obj);

  void applyDefaults(ObjectNode obj);

  /** Type, enum, required, minimum... of everything but metadata. */
  List<FieldError> validate(ObjectNode obj);

  /**
   * Whether the object at {@code path} (e.g. [spec, podAffinity]) is an atomic map
   * ({@code x-kubernetes-map-type: atomic}): server-side apply owns and replaces it as a whole.
   */
  default boolean isAtomicMap(java.util.List<String> path) {
    return false;
  }

  /** metadata rules for custom resources (name is a DNS-1123 subdomain, labels, finalizers...). */
  List<FieldError> validateMetadata(ObjectNode metadata);
}
