package io.ippool.ipam;

import io.vertx.core.Future;
import io.ippool.spiderpool.PodState;
import io.ippool.spiderpool.TopController;
import java.util.Map;

/**
 * What allocation needs to know about the cluster: a pod's labels, annotations and node, its namespace's
 * labels and annotations, and the node's labels. {@link #standalone()} knows nothing (every pod exists,
 * with empty metadata and no node); {@link Fabric8KubeMetadata} reads informer caches of a real cluster.
 */
public interface KubeMetadata {

  /** Labels and annotations of a namespace or node. */
  record Meta(Map<String, String> labels, Map<String, String> annotations) {
    public static final Meta EMPTY = new Meta(Map.of(), Map.of());
  }

  /**
   * @param nodeName spec.nodeName, or null when unknown
   * @param alive    false when Spiderpool's IsPodAlive says dead (terminating, finished, evicted)
   * @param state    the pod as the cluster has it (UID, controller, phase); null without a cluster
   */
  record Pod(Map<String, String> labels, Map<String, String> annotations, String nodeName, boolean alive,
             PodState state) {
    public Pod(Map<String, String> labels, Map<String, String> annotations, String nodeName, boolean alive) {
      this(labels, annotations, nodeName, alive, null);
    }

    /** The pod's top controller, null when unknown (no cluster). */
    public TopController controller() {
      return state == null ? null : state.controller();
    }
  }

  /**
   * The pod as kube-apiserver has it now, not the informer's copy, for decisions that must not act on a stale
   * cache (a DEL of a pod that is alive releases nothing). Empty when there is no such pod; standalone: empty.
   */
  default Future<java.util.Optional<PodState>> livePod(String namespace, String name) {
    return Future.succeededFuture(java.util.Optional.empty());
  }

  /** True when pod metadata comes from a cluster (so a DEL can ask whether the pod is still alive). */
  default boolean clusterBacked() {
    return false;
  }

  /**
   * Fails with {@link IpamException} {@code failed to get Pod <ns>/<name>: <why>} when there is no such pod.
   */
  Future<Pod> pod(String namespace, String name);

  /** Unknown namespaces have empty metadata. */
  Future<Meta> namespace(String name);

  /** Unknown (or null) nodes have no labels. */
  Future<Map<String, String>> nodeLabels(String nodeName);

  static KubeMetadata standalone() {
    return new KubeMetadata() {
      @Override
      public Future<Pod> pod(String namespace, String name) {
        return Future.succeededFuture(new Pod(Map.of(), Map.of(), null, true));
      }

      @Override
      public Future<Meta> namespace(String name) {
        return Future.succeededFuture(Meta.EMPTY);
      }

      @Override
      public Future<Map<String, String>> nodeLabels(String nodeName) {
        return Future.succeededFuture(Map.of());
      }
    };
  }
}
