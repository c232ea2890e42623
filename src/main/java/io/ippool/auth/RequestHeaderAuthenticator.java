package io.ippool.auth;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Front-proxy authentication, as k8s.io/apiserver's requestheader authenticator behind its x509 verifier:
 * the identity in X-Remote-User/-Group/-Extra-* is believed only from a client whose own certificate chains
 * to the request-header CA (checked here, not by the TLS layer, which also trusts other CAs) and whose CN is
 * allowed. Everyone else's X-Remote-* headers are never read.
 */
public final class RequestHeaderAuthenticator implements Authenticator {
  private volatile State state;

  private record State(RequestHeaderConfig config, CertificateVerifier verifier) {
  }

  public RequestHeaderAuthenticator(RequestHeaderConfig config) {
    update(config);
  }

  /** Swaps CA, allowed names and header names (the ConfigMap changed, or the CA rotated). */
  public void update(RequestHeaderConfig config) {
    this.state = new State(config, new CertificateVerifier(config.requestHeaderCa()));
  }

  public RequestHeaderConfig config() {
    return state.config();
  }

  @Override
  public Future<UserInfo> authenticate(AuthRequest request) {
    State s = state;
    if (!s.config().enabled() || request.peerChain().isEmpty()) {
      return Future.succeededFuture(null);
    }
    X509Certificate leaf = request.leaf();
    try {
      s.verifier().verifyClient(request.peerChain());
    } catch (GeneralSecurityException e) {
      // Usually an ordinary client certificate: the next authenticator will look at it.
      return Future.failedFuture(new AuthenticationException("request-header: verifying certificate "
          + leaf.getSubjectX500Principal().getName() + " failed: " + e.getMessage()));
    }
    List<String> allowed = s.config().allowedNames();
    if (!allowed.isEmpty()) {
      String cn = commonName(leaf);
      if (cn == null || !allowed.contains(cn)) {
        return Future.failedFuture(new AuthenticationException("x509: subject with cn=" + cn
            + " is not in the allowed list"));
      }
    }
    UserInfo user = fromHeaders(s.config(), request.headers());
    if (user != null) {
      clearHeaders(s.config(), request.headers());
    }
    return Future.succeededFuture(user);
  }

  /** The identity the proxy asserted; null when it sent no user name. Call only after verifying the proxy. */
  static UserInfo fromHeaders(RequestHeaderConfig c, MultiMap headers) {
    String name = first(headers, c.usernameHeaders());
    if (name == null) {
      return null;
    }
    String uid = c.uidHeaders().isEmpty() ? "" : first(headers, c.uidHeaders());
    List<String> groups = new ArrayList<>();
    for (String h : c.groupHeaders()) {
      for (String g : headers.getAll(h)) {
        if (!g.isEmpty()) {
          groups.add(g);
        }
      }
    }
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : headers) {
      String key = extraKey(c.extraHeaderPrefixes(), e.getKey());
      if (key != null) {
        extra.computeIfAbsent(key, k -> new ArrayList<>()).add(e.getValue());
      }
    }
    Map<String, List<String>> frozen = new LinkedHashMap<>();
    extra.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
    return new UserInfo(name, groups, frozen, uid).withAuthenticatedGroup();
  }

  /** Removes the identity headers so nothing downstream mistakes them for input (kube does the same). */
  static void clearHeaders(RequestHeaderConfig c, MultiMap headers) {
    try {
      c.usernameHeaders().forEach(headers::remove);
      c.uidHeaders().forEach(headers::remove);
      c.groupHeaders().forEach(headers::remove);
      for (String n : List.copyOf(headers.names())) {
        if (extraKey(c.extraHeaderPrefixes(), n) != null) {
          headers.remove(n);
        }
      }
    } catch (UnsupportedOperationException e) {
      // Read-only header views (tests) are fine: nothing reads them after authentication anyway.
    }
  }

  private static String first(MultiMap headers, List<String> names) {
    for (String n : names) {
      String v = headers.get(n);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return null;
  }

  /**
   * Header names are case-insensitive, so the prefix is too; the key is lowercased and then %XX-unescaped,
   * because the aggregator escapes keys (which may hold '/' and upper case) to fit in a header name.
   */
  static String extraKey(List<String> prefixes, String header) {
    for (String p : prefixes) {
      if (header.length() > p.length() && header.regionMatches(true, 0, p, 0, p.length())) {
        return unescape(header.substring(p.length()).toLowerCase(Locale.ROOT));
      }
    }
    return null;
  }

  /** Go's url.PathUnescape: %XX only ('+' stays), and on a malformed escape the key is kept as sent. */
  private static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  static String commonName(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
    } catch (Exception e) {
      return null;
    }
    return null;
  }
}
