package io.ippool.testsupport;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.ippool.server.AuthOptions;
import io.ippool.tls.CertificateAuthority;
import io.ippool.tls.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A kube-apiserver for tests, on fabric8's mock server (CRUD mode): what a cluster gives an aggregated server
 * (the kube-system/extension-apiserver-authentication ConfigMap naming a front-proxy CA, SubjectAccessReview
 * answers) and a kubeconfig to reach it.
 */
public final class MockCluster implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final List<SubjectAccessReview> reviews = new CopyOnWriteArrayList<>();

  private MockCluster(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  /** Every object is stored as written; SubjectAccessReviews are answered by {@code allow} and recorded. */
  public static MockCluster authorizing(Predicate<SubjectAccessReview> allow) {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new KubernetesMixedDispatcher(responses), false);
    server.init();
    MockCluster cluster = new MockCluster(server);
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReply(201, req -> {
      SubjectAccessReview sar = Serialization.unmarshal(req.getUtf8Body(), SubjectAccessReview.class);
      cluster.reviews.add(sar);
      boolean allowed = allow.test(sar);
      SubjectAccessReviewStatus status = new SubjectAccessReviewStatus();
      status.setAllowed(allowed);
      status.setReason(allowed ? "RBAC: allowed" : "");
      sar.setStatus(status);
      return sar;
    }).always();
    return cluster;
  }

  /** A cluster that stores the given custom resources (and the built-in kinds) as written. */
  public static MockCluster serving(List<CustomResourceDefinitionContext> crds) {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(crds), false);
    server.init();
    return new MockCluster(server);
  }

  public KubernetesClient client() {
    return client;
  }

  /** Serves a custom resource kind added after the cluster started (for example APIService). */
  public void serve(CustomResourceDefinitionContext crd) {
    server.expectCustomResource(crd);
  }

  /** The SubjectAccessReviews the cluster has answered, oldest first. */
  public List<SubjectAccessReview> reviews() {
    return reviews;
  }

  /** Writes {@code dir/cluster.kubeconfig} reaching this cluster with a bearer token. */
  public Path kubeconfig(Path dir, String token) throws IOException {
    return kubeconfig(client, dir, token);
  }

  /** Writes {@code dir/cluster.kubeconfig} reaching the cluster behind {@code client} with a bearer token. */
  public static Path kubeconfig(KubernetesClient client, Path dir, String token) throws IOException {
    Path kubeconfig = dir.resolve("cluster.kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: mock, cluster: {server: "%s"}}]
        users: [{name: sa, user: {token: %s}}]
        contexts: [{name: mock, context: {cluster: mock, user: sa}}]
        current-context: mock
        """.formatted(client.getMasterUrl().toString(), token));
    return kubeconfig;
  }

  /**
   * Publishes front-proxy settings (CN front-proxy-client, X-Remote-* headers) under a new CA, which signs the
   * front proxy's client certificate.
   */
  public CertificateAuthority publishFrontProxy() {
    CertificateAuthority frontProxyCa = CertificateAuthority.create("front-proxy-ca", Duration.ofDays(1));
    publishFrontProxy(client, frontProxyCa);
    return frontProxyCa;
  }

  /**
   * The same for a mock cluster a test set up itself (one that answers TokenReviews its own way): the
   * front-proxy settings signed by {@code frontProxyCa}.
   */
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

  /** Server options delegating authentication and authorization to the cluster behind {@code client}. */
  public static AuthOptions delegatedTo(KubernetesClient client, Path dir) throws IOException {
    AuthOptions auth = AuthOptions.defaults();
    auth.delegateAuth = true;
    auth.kubeconfig = kubeconfig(client, dir, "service-account-token");
    return auth;
  }

  /** A server delegating authentication and authorization to this cluster, as one deployed in it would. */
  public TestServer startDelegatingServer(Path dir) throws IOException {
    AuthOptions auth = AuthOptions.defaults();
    auth.delegateAuth = true;
    auth.kubeconfig = kubeconfig(dir, "service-account-token");
    return TestServer.withAuth(auth);
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
