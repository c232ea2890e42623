package io.ippool.auth;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What authenticators look at: the TLS peer's certificate chain (leaf first, empty when the client sent none)
 * and the request headers. Kept apart from HttpServerRequest so authenticators are testable without a socket.
 */
public record AuthRequest(List<X509Certificate> peerChain, MultiMap headers) {
  public AuthRequest {
    peerChain = List.copyOf(peerChain);
  }

  public static AuthRequest of(HttpServerRequest request) {
    SSLSession session = request.isSSL() ? request.connection().sslSession() : null;
    return new AuthRequest(peerChain(session), request.headers());
  }

  /** The chain the client presented, or an empty list (no TLS, no certificate, or not an X.509 one). */
  public static List<X509Certificate> peerChain(SSLSession session) {
    if (session == null) {
      return List.of();
    }
    Certificate[] certs;
    try {
      certs = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate c : certs) {
      if (!(c instanceof X509Certificate x)) {
        return List.of();
      }
      out.add(x);
    }
    return out;
  }

  public X509Certificate leaf() {
    return peerChain.isEmpty() ? null : peerChain.get(0);
  }
}
