package io.ippool.ipam;

import io.vertx.core.Future;

/**
 * A node identity allocates and releases only for pods on its own node, as Spiderpool's agent serves only
 * the node it runs on: one node's credentials must not take or free another node's pod addresses. Admins
 * and the unix socket (root on the server's host) are not scoped. When the pod's node is unknown (no
 * cluster configured, or the pod is gone, which is when a DEL must still work) the request is allowed.
 */
public final class NodeScope {
  private final KubeMetadata meta;

  public NodeScope(KubeMetadata meta) {
    this.meta = meta;
  }

  /**
   * @param callerNode the node the caller is (from its identity), or null for an unscoped caller
   * @return succeeds when the caller may act for the pod; fails with an IpamException otherwise
   */
  public Future<Void> allow(String callerNode, String namespace, String pod) {
    if (callerNode == null) {
      return Future.succeededFuture();
    }
    return meta.pod(namespace, pod).transform(ar -> {
      String podNode = ar.succeeded() ? ar.result().nodeName() : null;
      if (podNode == null || podNode.isEmpty() || podNode.equals(callerNode)) {
        return Future.succeededFuture();
      }
      // Spiderpool's agent answers every refusal of an ADD or DEL as a failure (500) with its text; its CNI
      // plugin knows no other status for these routes and would drop the message of a 403.
      return Future.failedFuture(new IpamException("node " + callerNode + " may not allocate or "
          + "release addresses for Pod " + namespace + "/" + pod + ", which runs on node " + podNode));
    });
  }
}
