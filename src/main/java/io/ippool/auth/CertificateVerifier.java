package io.ippool.auth;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies a TLS peer's chain against one specific CA bundle. The TLS layer trusts the union of several CAs
 * (client CA, front-proxy CA, our generated CA), so "the handshake succeeded" says nothing about which CA
 * signed the certificate; each authenticator must check its own bundle, as k8s.io/apiserver's x509
 * verifier does with its per-authenticator VerifyOptions.
 */
public final class CertificateVerifier {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_EKU = "2.5.29.37.0";

  private final Set<TrustAnchor> anchors;
  private final Clock clock;

  public CertificateVerifier(List<X509Certificate> roots) {
    this(roots, Clock.systemUTC());
  }

  public CertificateVerifier(List<X509Certificate> roots, Clock clock) {
    Set<TrustAnchor> a = new HashSet<>();
    for (X509Certificate r : roots) {
      a.add(new TrustAnchor(r, null));
    }
    this.anchors = Set.copyOf(a);
    this.clock = clock;
  }

  public boolean isEmpty() {
    return anchors.isEmpty();
  }

  /**
   * @param chain the peer's chain, leaf first, as SSLSession.getPeerCertificates returns it
   * @throws GeneralSecurityException when the chain does not lead to one of the roots, is not valid now, or
   *     the leaf or an intermediate is restricted to uses other than client authentication
   */
  public void verifyClient(List<X509Certificate> chain) throws GeneralSecurityException {
    if (anchors.isEmpty()) {
      throw new GeneralSecurityException("no CA configured");
    }
    if (chain.isEmpty()) {
      throw new GeneralSecurityException("no certificate");
    }
    // Certificates the peer sent after the leaf are intermediates; a copy of a root among them would make
    // the PKIX path end at the root instead of before it, so drop anything that is itself an anchor.
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (!isAnchor(c)) {
        path.add(c);
      }
    }
    if (path.isEmpty()) {
      throw new GeneralSecurityException("peer presented a CA certificate as its identity");
    }
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    CertPath cp = cf.generateCertPath(path);
    PKIXParameters params = new PKIXParameters(anchors);
    // CRLs/OCSP are not consulted by kube-apiserver either; short-lived certificates are the revocation story.
    params.setRevocationEnabled(false);
    params.setDate(Date.from(clock.instant()));
    CertPathValidator.getInstance("PKIX").validate(cp, params);
    for (X509Certificate c : path) {
      checkClientUsage(c);
    }
  }

  private boolean isAnchor(X509Certificate c) {
    for (TrustAnchor a : anchors) {
      if (a.getTrustedCert().equals(c)) {
        return true;
      }
    }
    return false;
  }

  /** Go's x509 treats a certificate without ExtKeyUsage as good for any use; with one it must allow clientAuth. */
  private static void checkClientUsage(X509Certificate c) throws GeneralSecurityException {
    List<String> eku = c.getExtendedKeyUsage();
    if (eku != null && !eku.isEmpty() && !eku.contains(CLIENT_AUTH) && !eku.contains(ANY_EKU)) {
      throw new GeneralSecurityException("certificate " + c.getSubjectX500Principal().getName()
          + " is not valid for client authentication");
    }
  }
}
