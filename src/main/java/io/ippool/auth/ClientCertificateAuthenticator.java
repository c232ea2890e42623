package io.ippool.auth;

import io.vertx.core.Future;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLSession;

/**
 * x509 client certificates: the subject's CN is the user name and each O a group, plus system:authenticated
 * (as kube-apiserver's x509 authenticator).
 *
 * <p>Without a {@link CertificateVerifier} the TLS handshake's verification is trusted, which is right only
 * when the server trusts nothing but client CAs (standalone mode). With one — needed as soon as the TLS layer
 * also trusts the front-proxy CA — the chain must verify against the client CA bundle itself, so that a
 * front-proxy certificate is not mistaken for a user certificate.
 */
public final class ClientCertificateAuthenticator implements Authenticator {
  private volatile CertificateVerifier verifier;

  /** Trusts whatever the TLS layer verified. */
  public ClientCertificateAuthenticator() {
    this(null);
  }

  /** Accepts only chains that verify against {@code verifier}'s CA bundle (--client-ca-file). */
  public ClientCertificateAuthenticator(CertificateVerifier verifier) {
    this.verifier = verifier;
  }

  /** Swaps the client CA bundle, e.g. when the extension-apiserver-authentication ConfigMap changes. */
  public void update(CertificateVerifier verifier) {
    this.verifier = verifier;
  }

  /** @return the user, or null when the client presented no certificate (or, with a verifier, a foreign one) */
  public UserInfo authenticate(SSLSession session) {
    List<X509Certificate> chain = AuthRequest.peerChain(session);
    if (chain.isEmpty()) {
      return null;
    }
    try {
      return authenticate(chain);
    } catch (AuthenticationException e) {
      return null;
    }
  }

  @Override
  public Future<UserInfo> authenticate(AuthRequest request) {
    if (request.peerChain().isEmpty()) {
      return Future.succeededFuture(null);
    }
    try {
      return Future.succeededFuture(authenticate(request.peerChain()));
    } catch (AuthenticationException e) {
      return Future.failedFuture(e);
    }
  }

  private UserInfo authenticate(List<X509Certificate> chain) {
    CertificateVerifier v = verifier;
    if (v != null) {
      try {
        v.verifyClient(chain);
      } catch (GeneralSecurityException e) {
        throw new AuthenticationException("x509: verifying certificate "
            + chain.get(0).getSubjectX500Principal().getName() + " failed: " + e.getMessage());
      }
    }
    UserInfo user = fromSubject(chain.get(0));
    if (user == null) {
      throw new AuthenticationException("x509: certificate has no common name");
    }
    return user;
  }

  static UserInfo fromSubject(X509Certificate cert) {
    String cn = null;
    List<String> groups = new ArrayList<>();
    try {
      LdapName dn = new LdapName(cert.getSubjectX500Principal().getName());
      for (Rdn rdn : dn.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          cn = rdn.getValue().toString();
        } else if (rdn.getType().equalsIgnoreCase("O")) {
          groups.add(0, rdn.getValue().toString());
        }
      }
    } catch (Exception e) {
      return null;
    }
    if (cn == null || cn.isEmpty()) {
      return null;
    }
    groups.add(UserInfo.AUTHENTICATED_GROUP);
    return new UserInfo(cn, List.copyOf(groups), Map.of());
  }
}
