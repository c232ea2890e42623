package io.ippool.server;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ippool.ipam.Fabric8KubeMetadata;
import io.ippool.ipam.KubeMetadata;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where pod, namespace and node metadata come from: a kubeconfig, the in-cluster account, or nowhere. */
final class KubeConnection {
  private static final Logger LOG = LoggerFactory.getLogger(KubeConnection.class);

  private KubeConnection() {
  }

  static KubeMetadata metadata(Vertx vertx, Path kubeconfig) throws Exception {
    Config config;
    if (kubeconfig != null) {
      config = Config.fromKubeconfig(Files.readString(kubeconfig));
    } else if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
      config = new io.fabric8.kubernetes.client.ConfigBuilder().build(); // in-cluster auto-configuration
    } else {
      LOG.info("no Kubernetes cluster configured: pool selection uses request and default pools only");
      return KubeMetadata.standalone();
    }
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    LOG.info("reading pods, namespaces and nodes from {}", config.getMasterUrl());
    return ApiServer.await(Fabric8KubeMetadata.start(vertx, client));
  }
}
