package io.ippool.auth;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * x509 client certificates, verified by the TLS handshake against the client CA: the subject's CN is the
 * user name and each O a group, plus system:authenticated (as kube-apiserver's x509 authenticator).
 */
public final class ClientCertificateAuthenticator {

  /** @return the user, or null when the client presented no certificate */
  public UserInfo authenticate(SSLSession session) {
    if (session == null) {
      return null;
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
      return null;
    }
    return fromSubject(cert);
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
    groups.add("system:authenticated");
    return new UserInfo(cn, List.copyOf(groups), Map.of());
  }
}
