package io.ippool.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.tls.CertificateAuthority.IssuedCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Front-proxy authentication over real TLS: the server trusts both the client CA and the front-proxy CA (as a
 * delegated apiserver must), so only the explicit per-CA check in the authenticators tells a proxy from a
 * user who forges X-Remote-User.
 */
class RequestHeaderAuthenticatorIT {
  private static final TestPki PKI = new TestPki();
  private static Vertx vertx;
  private static HttpServer server;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    RequestHeaderConfig config = new RequestHeaderConfig(List.of(PKI.frontProxyCa.certificate()),
        List.of("front-proxy-client"), List.of("X-Remote-User"), List.of("X-Remote-Uid"), List.of("X-Remote-Group"),
        List.of("X-Remote-Extra-"), List.of(PKI.clientCa.certificate()));
    AuthenticatorChain chain = new AuthenticatorChain(List.of(new RequestHeaderAuthenticator(config),
        new ClientCertificateAuthenticator(new CertificateVerifier(config.clientCa()))), true);
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
        .setKeyCertOptions(TestPki.keyCert(PKI.serving()))
        .setTrustOptions(TestPki.trust(PKI.clientCa, PKI.frontProxyCa))
        .setClientAuth(ClientAuth.REQUEST);
    server = await(vertx.createHttpServer(options).requestHandler(req -> chain.authenticate(req).onComplete(ar -> {
      if (ar.failed()) {
        req.response().setStatusCode(401).end(ar.cause().getMessage());
        return;
      }
      UserInfo u = ar.result();
      req.response().end(new JsonObject().put("name", u.name()).put("uid", u.uid()).put("groups", u.groups())
          .put("extra", new JsonObject(Map.copyOf(u.extra()))).put("remaining", req.headers().get("X-Remote-User"))
          .encode());
    })).listen());
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void validProxyCertificateAndAllowedName_userFromHeaders() throws Exception {
    Reply r = call(PKI.frontProxy("front-proxy-client"), Map.of("X-Remote-User", List.of("alice"),
        "X-Remote-Uid", List.of("u-1"), "X-Remote-Group", List.of("devs", "ops"),
        "X-Remote-Extra-Scopes", List.of("a", "b"), "X-Remote-Extra-Example.com%2fTeam", List.of("net")));
    assertEquals(200, r.status(), r.body());
    JsonObject u = new JsonObject(r.body());
    assertEquals("alice", u.getString("name"));
    assertEquals("u-1", u.getString("uid"));
    assertEquals(List.of("devs", "ops", "system:authenticated"), u.getJsonArray("groups").getList());
    assertEquals(List.of("a", "b"), u.getJsonObject("extra").getJsonArray("scopes").getList());
    assertEquals(List.of("net"), u.getJsonObject("extra").getJsonArray("example.com/team").getList());
    assertEquals(null, u.getString("remaining"), "identity headers are removed once consumed");
  }

  @Test
  void aggregatorWithoutGroups_stillGetsSystemAuthenticated() throws Exception {
    Reply r = call(PKI.frontProxy("front-proxy-client"), Map.of("X-Remote-User", List.of("system:kube-aggregator")));
    assertEquals(200, r.status(), r.body());
    assertEquals(List.of("system:authenticated"), new JsonObject(r.body()).getJsonArray("groups").getList());
  }

  @Test
  void proxyCertificateWithNameNotAllowed_headersIgnoredAnd401() throws Exception {
    Reply r = call(PKI.frontProxy("someone-else"), Map.of("X-Remote-User", List.of("alice"),
        "X-Remote-Group", List.of("system:masters")));
    assertEquals(401, r.status(), r.body());
    assertTrue(r.body().contains("x509: subject with cn=someone-else is not in the allowed list"), r.body());
  }

  @Test
  void ordinaryClientCertificateWithForgedHeader_userFromOwnCertificate() throws Exception {
    Reply r = call(PKI.user("bob", "devs"), Map.of("X-Remote-User", List.of("alice"),
        "X-Remote-Group", List.of("system:masters")));
    assertEquals(200, r.status(), r.body());
    JsonObject u = new JsonObject(r.body());
    assertEquals("bob", u.getString("name"));
    assertEquals(List.of("devs", "system:authenticated"), u.getJsonArray("groups").getList());
  }

  @Test
  void clientCertificateNamedLikeTheProxy_isStillNotTheProxy() throws Exception {
    // Allowed CN, wrong CA: the client CA may sign any CN, so the name alone must never be enough.
    Reply r = call(PKI.user("front-proxy-client"), Map.of("X-Remote-User", List.of("alice")));
    assertEquals(200, r.status(), r.body());
    assertEquals("front-proxy-client", new JsonObject(r.body()).getString("name"));
  }

  @Test
  void noCertificateWithForgedHeader_anonymous() throws Exception {
    Reply r = call(null, Map.of("X-Remote-User", List.of("alice"), "X-Remote-Group", List.of("system:masters")));
    assertEquals(200, r.status(), r.body());
    JsonObject u = new JsonObject(r.body());
    assertEquals("system:anonymous", u.getString("name"));
    assertEquals(List.of("system:unauthenticated"), u.getJsonArray("groups").getList());
  }

  @Test
  void proxyCertificateWithoutUserHeader_isNotAUserCertificate() throws Exception {
    Reply r = call(PKI.frontProxy("front-proxy-client"), Map.of());
    assertEquals(401, r.status(), r.body());
  }

  private record Reply(int status, String body) {
  }

  private static Reply call(IssuedCertificate clientCert, Map<String, List<String>> headers) throws Exception {
    HttpClientOptions o = new HttpClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(TestPki.trust(PKI.servingCa));
    if (clientCert != null) {
      o.setKeyCertOptions(TestPki.keyCert(clientCert));
    }
    HttpClient client = vertx.createHttpClient(o);
    try {
      return await(client.request(HttpMethod.GET, server.actualPort(), "localhost", "/whoami").compose(req -> {
        headers.forEach((k, v) -> req.putHeader(k, v));
        return req.send().compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString())));
      }));
    } finally {
      await(client.close());
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
