package io.ippool.importer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.ResourceKind;
import java.util.List;

/** Where objects are imported from: a cluster still serving Spiderpool's CRDs (or a fake in tests). */
public interface ClusterSource extends AutoCloseable {

  /** Every object of {@code kind}, across all namespaces, as the cluster serves it (JSON). */
  List<ObjectNode> list(ResourceKind kind) throws Exception;

  /**
   * Fails with a message when the cluster's group is not served from its CRDs any more (an aggregated
   * APIService already routes it elsewhere, e.g. to us): the objects listed would not be Spiderpool's.
   */
  default void checkServedByCrds() throws Exception {
  }

  /** Where the objects come from, for messages. */
  String describe();

  @Override
  default void close() {
  }
}
