package io.ippool.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ippool.auth.DelegationClients;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where pod, namespace and node metadata come from: a kubeconfig, the in-cluster account, or nowhere. */
final class KubeConnection {
  private static final Logger LOG = LoggerFactory.getLogger(KubeConnection.class);

  private KubeConnection() {
  }

  /** A client for the configured cluster (same settings as the delegation client), or null when there is none. */
  static KubernetesClient client(Path kubeconfig) throws Exception {
    if (kubeconfig == null && System.getenv("KUBERNETES_SERVICE_HOST") == null) {
      LOG.info("no Kubernetes cluster configured: pool selection uses request and default pools only");
      return null;
    }
    KubernetesClient client = DelegationClients.create(kubeconfig);
    LOG.info("reading pods, namespaces and nodes from {}", client.getMasterUrl());
    return client;
  }
}
