package io.ippool.auth;

import io.ippool.tls.CertificateAuthority;
import io.ippool.tls.CertificateAuthority.IssuedCertificate;
import io.ippool.tls.Pem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.util.List;

/** The three CAs of an aggregated setup: serving, ordinary client certificates, and the front proxy. */
final class TestPki {
  static final Duration DAY = Duration.ofDays(1);
  final CertificateAuthority servingCa = CertificateAuthority.create("serving-ca", DAY);
  final CertificateAuthority clientCa = CertificateAuthority.create("client-ca", DAY);
  final CertificateAuthority frontProxyCa = CertificateAuthority.create("front-proxy-ca", DAY);

  IssuedCertificate serving() {
    return servingCa.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"), DAY);
  }

  IssuedCertificate frontProxy(String cn) {
    return frontProxyCa.issueClient(cn, List.of(), DAY);
  }

  IssuedCertificate user(String name, String... groups) {
    return clientCa.issueClient(name, List.of(groups), DAY);
  }

  static PemKeyCertOptions keyCert(IssuedCertificate c) {
    return new PemKeyCertOptions().addCertValue(Buffer.buffer(Pem.encode(c.certificate())))
        .addKeyValue(Buffer.buffer(Pem.encode(c.key())));
  }

  static PemTrustOptions trust(CertificateAuthority... cas) {
    PemTrustOptions t = new PemTrustOptions();
    for (CertificateAuthority ca : cas) {
      t.addCertValue(Buffer.buffer(Pem.encode(ca.certificate())));
    }
    return t;
  }
}
