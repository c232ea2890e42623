package io.ippool.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Header parsing and certificate rules of the front-proxy authenticator, without sockets. */
class RequestHeaderAuthenticatorTest {
  private static final TestPki PKI = new TestPki();

  private static RequestHeaderConfig config(List<String> allowed) {
    return new RequestHeaderConfig(List.of(PKI.frontProxyCa.certificate()), allowed,
        List.of("X-Remote-User", "X-Other-User"), List.of(), List.of("X-Remote-Group"), List.of("X-Remote-Extra-"),
        List.of());
  }

  private static AuthRequest request(java.security.cert.X509Certificate cert, String... headers) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    return new AuthRequest(cert == null ? List.of() : List.of(cert), h);
  }

  @Test
  void emptyAllowedNames_anyCertificateFromTheCa() throws Exception {
    var auth = new RequestHeaderAuthenticator(config(List.of()));
    UserInfo u = await(auth.authenticate(request(PKI.frontProxy("whatever").certificate(), "x-remote-user", "carol")));
    assertEquals("carol", u.name());
  }

  @Test
  void headerNamesAreCaseInsensitive_firstNonEmptyUserWins_extraKeysLoweredAndUnescaped() throws Exception {
    var auth = new RequestHeaderAuthenticator(config(List.of("front-proxy-client")));
    UserInfo u = await(auth.authenticate(request(PKI.frontProxy("front-proxy-client").certificate(),
        "X-Remote-User", "", "X-Other-User", "dave", "x-remote-group", "a", "X-Remote-Group", "",
        "X-REMOTE-EXTRA-Acme.io%2FTeam", "net", "X-Remote-Extra-bad%zz", "v", "X-Remote-Extra-a+b", "w")));
    assertEquals("dave", u.name());
    assertEquals(List.of("a", "system:authenticated"), u.groups());
    assertEquals(List.of("net"), u.extra().get("acme.io/team"));
    assertEquals(List.of("v"), u.extra().get("bad%zz"), "malformed escapes are kept as sent");
    assertEquals(List.of("w"), u.extra().get("a+b"), "'+' is not a space in a path escape");
  }

  @Test
  void serverOnlyCertificateFromTheProxyCaIsRefused() throws Exception {
    var auth = new RequestHeaderAuthenticator(config(List.of()));
    var serverCert = PKI.frontProxyCa.issueServer("front-proxy-client", List.of("x"), List.of(), TestPki.DAY);
    Future<UserInfo> f = auth.authenticate(request(serverCert.certificate(), "X-Remote-User", "eve"));
    assertTrue(f.failed() && f.cause().getMessage().contains("client authentication"), String.valueOf(f.cause()));
  }

  @Test
  void disabledOrNoCertificate_notThisAuthenticatorsBusiness() throws Exception {
    assertNull(await(new RequestHeaderAuthenticator(RequestHeaderConfig.disabled())
        .authenticate(request(PKI.frontProxy("front-proxy-client").certificate(), "X-Remote-User", "eve"))));
    assertNull(await(new RequestHeaderAuthenticator(config(List.of())).authenticate(request(null,
        "X-Remote-User", "eve"))));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
