package io.ippool.auth;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fabric8 client used for TokenReview, SubjectAccessReview and the authentication ConfigMap. fabric8's
 * defaults retry a 5xx ten times with exponential backoff (about 20 s), which would hold a request and a
 * worker thread far beyond the aggregator's patience; k8s.io/apiserver's delegating clients give up after
 * about 10 s. So: 10 s per request, two quick retries.
 */
public final class DelegationClients {
  public static final int REQUEST_TIMEOUT_MILLIS = 10_000;
  public static final int CONNECTION_TIMEOUT_MILLIS = 5_000;
  public static final int RETRIES = 2;
  public static final int RETRY_INTERVAL_MILLIS = 100;

  private DelegationClients() {
  }

  /**
   * @param kubeconfig a kubeconfig file (--kubeconfig), or null for the pod's service account ($KUBECONFIG or
   *     ~/.kube/config outside a cluster); blocking, call at start-up
   */
  public static KubernetesClient create(Path kubeconfig) throws IOException {
    Config base = kubeconfig == null ? Config.autoConfigure(null) : Config.fromKubeconfig(Files.readString(kubeconfig));
    return new KubernetesClientBuilder().withConfig(tune(base)).build();
  }

  /** A copy of {@code base} with the timeouts and retries above. */
  public static Config tune(Config base) {
    Config c = new ConfigBuilder(base).build();
    c.setRequestTimeout(REQUEST_TIMEOUT_MILLIS);
    c.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
    c.setRequestRetryBackoffLimit(RETRIES);
    c.setRequestRetryBackoffInterval(RETRY_INTERVAL_MILLIS);
    return c;
  }
}
