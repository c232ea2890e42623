package io.ippool.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.server.AuthOptions;
import io.ippool.tls.Pem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The auth flags parse as kube-apiserver's do, with the defaults a delegated server uses. */
class AuthOptionsTest {
  @Command(name = "t")
  static final class Host {
    @Mixin
    AuthOptions auth;
  }

  private static AuthOptions parse(String... args) {
    Host h = new Host();
    new CommandLine(h).parseArgs(args);
    return h.auth;
  }

  @Test
  void defaults() throws Exception {
    AuthOptions o = parse();
    assertFalse(o.delegateAuth);
    assertTrue(o.anonymousAuth);
    assertEquals(List.of("X-Remote-User"), o.requestHeaderUsernameHeaders);
    assertEquals(List.of("X-Remote-Group"), o.requestHeaderGroupHeaders);
    assertEquals(List.of("X-Remote-Extra-"), o.requestHeaderExtraHeadersPrefix);
    assertEquals(List.of("system:masters"), o.alwaysAllowGroups);
    assertEquals(Duration.ofSeconds(10), o.tokenCacheTtl);
    assertEquals(Duration.ofSeconds(5), o.tokenCacheUnauthorizedTtl);
    assertEquals(Duration.ofSeconds(10), o.authorizedTtl);
    assertEquals(Duration.ofSeconds(10), o.unauthorizedTtl);
    assertNull(o.requestHeaderFromFlags());
  }

  @Test
  void requestHeaderFlagsBuildTheConfig(@TempDir Path dir) throws Exception {
    TestPki pki = new TestPki();
    Path ca = dir.resolve("front-proxy-ca.crt");
    Pem.writeFile(ca, Pem.encode(pki.frontProxyCa.certificate()), false);
    AuthOptions o = parse("--delegate-auth", "--requestheader-client-ca-file", ca.toString(),
        "--requestheader-allowed-names=front-proxy-client,aggregator", "--anonymous-auth=false");
    assertTrue(o.delegateAuth);
    assertFalse(o.anonymousAuth);
    RequestHeaderConfig c = o.requestHeaderFromFlags();
    assertEquals(List.of(pki.frontProxyCa.certificate()), c.requestHeaderCa());
    assertEquals(List.of("front-proxy-client", "aggregator"), c.allowedNames());
    assertEquals(List.of("X-Remote-User"), c.usernameHeaders());
  }
}
