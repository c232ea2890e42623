package io.ippool.ipam.http;

import io.ippool.ipam.IpamException;
import io.ippool.ipam.KubeMetadata;
import io.vertx.core.Future;

/**
 * A caller acting for one node may allocate and release only for pods scheduled there, as spiderpool-agent
 * serves only its own node. Decided from the pod's spec.nodeName when pod metadata is available; a pod that is
 * gone, not yet scheduled, or unknown to a standalone server is not held against the caller (its DEL must still
 * free what it held).
 */
public final class NodeScope {
  private final KubeMetadata metadata;

  public NodeScope(KubeMetadata metadata) {
    this.metadata = metadata;
  }

  /** Succeeds when {@code callerNode} is null (not scoped) or the pod is not known to run elsewhere. */
  public Future<Void> check(String callerNode, String podNamespace, String podName) {
    if (callerNode == null) {
      return Future.succeededFuture();
    }
    return metadata.pod(podNamespace, podName).transform(ar -> {
      if (ar.failed() || ar.result().nodeName() == null || ar.result().nodeName().isEmpty()
          || ar.result().nodeName().equals(callerNode)) {
        return Future.succeededFuture();
      }
      return Future.failedFuture(new IpamException("pod " + podNamespace + "/" + podName + " runs on node "
          + ar.result().nodeName() + ": the IPAM caller for node " + callerNode
          + " may allocate and release only for pods on its own node"));
    });
  }
}
