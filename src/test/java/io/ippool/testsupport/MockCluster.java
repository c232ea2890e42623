package io.ippool.testsupport;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ippool.server.AuthOptions;
import io.ippool.tls.CertificateAuthority;
import io.ippool.tls.Pem;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a cluster gives an aggregated server, on fabric8's mock kube-apiserver: the
 * kube-system/extension-apiserver-authentication ConfigMap naming a front-proxy CA, and a kubeconfig to reach it.
 */
public final class MockCluster {
  private MockCluster() {
  }

  /** Publishes the front-proxy settings (CN front-proxy-client, X-Remote-* headers) signed by {@code frontProxyCa}. */
  public static void publishFrontProxy(KubernetesClient client, CertificateAuthority frontProxyCa) {
    client.configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder().withNewMetadata()
        .withNamespace("kube-system").withName("extension-apiserver-authentication").endMetadata()
        .addToData("requestheader-client-ca-file", Pem.encode(frontProxyCa.certificate()))
        .addToData("requestheader-allowed-names", "[\"front-proxy-client\"]")
        .addToData("requestheader-username-headers", "[\"X-Remote-User\"]")
        .addToData("requestheader-group-headers", "[\"X-Remote-Group\"]")
        .addToData("requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]")
        .build()).create();
  }

  /** Server options delegating authentication and authorization to the mock cluster behind {@code client}. */
  public static AuthOptions delegatedTo(KubernetesClient client, Path dir) throws Exception {
    Path kubeconfig = dir.resolve("cluster.kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: mock, cluster: {server: "%s"}}]
        users: [{name: sa, user: {token: service-account-token}}]
        contexts: [{name: mock, context: {cluster: mock, user: sa}}]
        current-context: mock
        """.formatted(client.getMasterUrl().toString()));
    AuthOptions auth = AuthOptions.defaults();
    auth.delegateAuth = true;
    auth.kubeconfig = kubeconfig;
    return auth;
  }
}
