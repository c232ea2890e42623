package io.ippool.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Renders objects of one kind as a meta.k8s.io Table (kubectl's human-readable output). */
public interface KindTable {
  /**
   * @param apiVersion    meta.k8s.io/v1 or meta.k8s.io/v1beta1, as negotiated
   * @param listMeta      resourceVersion / continue / remainingItemCount for the table's metadata
   * @param includeObject None, Metadata or Object
   * @param withHeaders   false for watch events after the first
   */
  ObjectNode table(String apiVersion, List<ObjectNode> objects, ObjectNode listMeta, String includeObject,
                   boolean withHeaders);
}
