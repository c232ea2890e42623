package io.ippool.ipam;

import io.ippool.spiderpool.GarbageRules;
import java.util.function.Consumer;

/** What the garbage collector reads of the cluster (informer caches) and the changes it reacts to. */
public interface ClusterWatch extends GarbageRules.Cluster {
  /**
   * Calls {@code onPod} with "namespace/name" of pods that are deleted, change UID, start terminating or finish,
   * {@code onNode} with deleted nodes and {@code onStatefulSet} with StatefulSets that shrink or go. Handlers run
   * on the informer's thread: they must only hand work over.
   */
  void watchChanges(Consumer<String> onPod, Consumer<String> onNode, Consumer<String> onStatefulSet);
}
