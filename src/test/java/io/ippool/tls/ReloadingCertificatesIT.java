package io.ippool.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A renewed serving certificate on disk reaches new connections without restarting the server. */
class ReloadingCertificatesIT {
  private static final Duration DAY = Duration.ofDays(1);

  @Test
  void renewedFilesAreServedToNewConnections(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      CertificateAuthority oldCa = CertificateAuthority.create("old-ca", DAY);
      CertificateAuthority newCa = CertificateAuthority.create("new-ca", DAY);
      Path cert = dir.resolve("tls.crt");
      Path key = dir.resolve("tls.key");
      write(oldCa.issueServer("localhost", List.of("localhost"), List.of(), DAY), cert, key);

      HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
          .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.2", "TLSv1.3"))
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()));
      HttpServer server = await(vertx.createHttpServer(options).requestHandler(r -> r.response().end("ok")).listen());
      ReloadingCertificates reloader = new ReloadingCertificates(vertx, server, options.getSslOptions(), cert, key,
          Duration.ofMillis(100));
      await(reloader.start());
      assertFalse(await(reloader.reloadIfChanged()), "nothing changed yet");
      assertEquals("CN=old-ca", issuerSeen(vertx, server, oldCa));

      CertificateAuthority.IssuedCertificate renewed = newCa.issueServer("localhost", List.of("localhost"), List.of(),
          DAY);
      // Certificate first, key later: the half-renewed state must not be loaded.
      Pem.writeFile(cert, Pem.encode(renewed.certificate()), false);
      assertTrue(failed(reloader.reloadIfChanged()), "mismatched key and certificate are refused");
      Pem.writeFile(key, Pem.encode(renewed.key()), true);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String issuer = null;
      while (System.nanoTime() < deadline) {
        try {
          issuer = issuerSeen(vertx, server, newCa);
          break;
        } catch (ExecutionException e) {
          Thread.sleep(100); // the periodic poll has not picked the files up yet
        }
      }
      assertEquals("CN=new-ca", issuer);
      reloader.stop();
    } finally {
      await(vertx.close());
    }
  }

  private static void write(CertificateAuthority.IssuedCertificate c, Path cert, Path key) throws Exception {
    Pem.writeFile(cert, Pem.encode(c.certificate()), false);
    Pem.writeFile(key, Pem.encode(c.key()), true);
  }

  /** Connects trusting only {@code ca}; fails unless the server presents a certificate it signed. */
  private static String issuerSeen(Vertx vertx, HttpServer server, CertificateAuthority ca) throws Exception {
    var client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Pem.encode(ca.certificate())))));
    try {
      return await(client.request(HttpMethod.GET, server.actualPort(), "localhost", "/").compose(req -> req.send()
          .map(resp -> {
            try {
              return ((X509Certificate) resp.request().connection().peerCertificates().get(0))
                  .getIssuerX500Principal().getName();
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
              throw new IllegalStateException(e);
            }
          })));
    } finally {
      await(client.close());
    }
  }

  private static boolean failed(Future<?> f) throws Exception {
    try {
      await(f);
      return false;
    } catch (ExecutionException e) {
      return true;
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
