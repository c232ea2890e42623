package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.Kubectl;
import io.ippool.testsupport.MockCluster;
import io.ippool.testsupport.TestServer;
import io.ippool.tls.CertificateAuthority;
import io.ippool.tls.Pem;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The aggregation path: kubectl talks to a test front proxy that behaves like kube-aggregator (authenticates
 * the user by token, then calls us with its front-proxy client certificate and X-Remote-User/Group). The server
 * reads the front-proxy settings from the extension-apiserver-authentication ConfigMap and authorises through
 * SubjectAccessReview, both served by fabric8's mock Kubernetes server.
 */
class FrontProxyIT {
  private static final Map<String, String> USERS = Map.of("alice-token", "alice", "bob-token", "bob");
  private static MockCluster kube;
  private static TestServer server;
  private static Vertx vertx;
  private static HttpServer proxy;
  private static Path dir;
  private static CertificateAuthority frontProxyCa;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("front-proxy");
    // RBAC of this test cluster: alice may use the group, bob may only read discovery.
    kube = MockCluster.authorizing(sar -> "alice".equals(sar.getSpec().getUser())
        || sar.getSpec().getNonResourceAttributes() != null);
    frontProxyCa = kube.publishFrontProxy();
    server = kube.startDelegatingServer(dir);
    vertx = Vertx.vertx();
    proxy = startProxy();
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close();
    }
    if (server != null) {
      server.close();
    }
    if (kube != null) {
      kube.close();
    }
  }

  /** A tiny kube-aggregator: token -> user, then forward with the front-proxy certificate and identity headers. */
  private static HttpServer startProxy() throws Exception {
    CertificateAuthority proxyServing = CertificateAuthority.create("proxy-ca", Duration.ofDays(1));
    var servingCert = proxyServing.issueServer("proxy", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
    Files.writeString(dir.resolve("proxy-ca.crt"), Pem.encode(proxyServing.certificate()));
    var clientCert = frontProxyCa.issueClient("front-proxy-client", List.of(), Duration.ofDays(1));
    HttpClient upstream = vertx.createHttpClient(new HttpClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Files.readString(
            server.dataDir().resolve("pki/ca.crt")))))
        .setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(Pem.encode(clientCert.certificate())))
            .addKeyValue(Buffer.buffer(Pem.encode(clientCert.key())))));
    HttpServer s = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setHost("127.0.0.1").setPort(0)
        .setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(Pem.encode(servingCert.certificate())))
            .addKeyValue(Buffer.buffer(Pem.encode(servingCert.key())))));
    s.requestHandler(req -> req.body().onSuccess(body -> {
      String auth = req.getHeader("Authorization");
      String user = auth == null ? null : USERS.get(auth.replace("Bearer ", ""));
      if (user == null) {
        req.response().setStatusCode(401).end();
        return;
      }
      RequestOptions ro = new RequestOptions().setMethod(req.method()).setHost("127.0.0.1").setPort(server.port())
          .setURI(req.uri());
      for (String h : List.of("Accept", "Content-Type", "User-Agent")) {
        if (req.getHeader(h) != null) {
          ro.putHeader(h, req.getHeader(h));
        }
      }
      ro.putHeader("X-Remote-User", user);
      ro.addHeader("X-Remote-Group", "developers");
      ro.addHeader("X-Remote-Group", "system:authenticated");
      upstream.request(ro).compose(up -> up.send(body)).onSuccess(resp -> {
        req.response().setStatusCode(resp.statusCode());
        resp.headers().forEach((k, v) -> {
          if (!k.equalsIgnoreCase("Content-Length") && !k.equalsIgnoreCase("Transfer-Encoding")) {
            req.response().headers().add(k, v);
          }
        });
        req.response().setChunked(true);
        resp.handler(req.response()::write);
        resp.endHandler(v -> req.response().end());
      }).onFailure(e -> req.response().setStatusCode(502).end(String.valueOf(e.getMessage())));
    }));
    return s.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Kubectl kubectlAs(String token) throws Exception {
    Path kc = dir.resolve(token + ".kubeconfig");
    Files.writeString(kc, """
        apiVersion: v1
        kind: Config
        clusters: [{name: agg, cluster: {server: "https://127.0.0.1:%d", certificate-authority: "%s"}}]
        users: [{name: u, user: {token: %s}}]
        contexts: [{name: agg, context: {cluster: agg, user: u}}]
        current-context: agg
        """.formatted(proxy.actualPort(), dir.resolve("proxy-ca.crt"), token));
    return new Kubectl(kc);
  }

  @Test
  void allowedUser_worksThroughTheProxy() throws Exception {
    Assumptions.assumeTrue(Kubectl.available(), "kubectl is not on the PATH");
    Kubectl alice = kubectlAs("alice-token");
    var created = alice.runWithInput("""
        apiVersion: spiderpool.spidernet.io/v2beta1
        kind: SpiderReservedIP
        metadata: {name: via-proxy}
        spec: {ips: [10.99.0.1]}
        """, "apply", "-f", "-");
    assertEquals(0, created.exit(), created.toString());
    var get = alice.run("get", "sr", "via-proxy");
    assertEquals(0, get.exit(), get.toString());
    assertTrue(kube.reviews().stream().anyMatch(r -> "alice".equals(r.getSpec().getUser())
        && r.getSpec().getResourceAttributes() != null
        && "spiderreservedips".equals(r.getSpec().getResourceAttributes().getResource())
        && "spiderpool.spidernet.io".equals(r.getSpec().getResourceAttributes().getGroup())
        && r.getSpec().getGroups().contains("developers")), "SubjectAccessReview carried the request's attributes");
  }

  @Test
  void deniedUser_getsKubectlsForbiddenMessage() throws Exception {
    Assumptions.assumeTrue(Kubectl.available(), "kubectl is not on the PATH");
    var r = kubectlAs("bob-token").run("get", "sp");
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("Error from server (Forbidden): spiderippools.spiderpool.spidernet.io is forbidden: "
        + "User \"bob\" cannot list resource \"spiderippools\" in API group \"spiderpool.spidernet.io\" at the "
        + "cluster scope"), r.toString());
  }

  @Test
  void forgedIdentityHeaders_sentStraightToTheServer_areNotBelieved() throws Exception {
    Map<String, List<String>> forged = Map.of("X-Remote-User", List.of("alice"),
        "X-Remote-Group", List.of("system:masters"));
    String path = "/apis/spiderpool.spidernet.io/v2beta1/spiderippools";
    // No certificate: the headers make nobody; anonymous requests are refused.
    var anonymous = ApiClient.anonymous(server).send("GET", path, null, null, null, forged);
    assertEquals(401, anonymous.code(), anonymous.toString());
    // An ordinary client certificate (not the front proxy's): the user is the certificate's, not the header's.
    Path pki = server.dataDir().resolve("pki");
    CertificateAuthority ca = new CertificateAuthority(Pem.readCertificates(Files.readString(pki.resolve("ca.crt")))
        .get(0), Pem.readPrivateKey(Files.readString(pki.resolve("ca.key"))));
    var eve = ca.issueClient("eve", List.of("interns"), Duration.ofDays(1));
    Files.writeString(dir.resolve("eve.crt"), Pem.encode(eve.certificate()));
    Files.writeString(dir.resolve("eve.key"), Pem.encode(eve.key()));
    var asEve = ApiClient.withCertificate(server, dir.resolve("eve.crt"), dir.resolve("eve.key"))
        .send("GET", path, null, null, null, forged);
    assertEquals(403, asEve.code(), asEve.toString());
    assertTrue(asEve.json().path("message").asText().contains("User \"eve\" cannot list"), asEve.toString());
  }
}
