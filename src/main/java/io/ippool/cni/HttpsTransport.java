package io.ippool.cni;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** HTTPS to the server's URL, authenticated with the kubeconfig's client certificate or token. */
final class HttpsTransport implements Transport {
  private final URI base;
  private final SSLContext ssl;
  private final boolean verifyHostname;
  private final String serverName;
  private final String authorization;

  HttpsTransport(Kubeconfig kc, String serverOverride) throws IOException {
    String url = serverOverride != null ? serverOverride : kc.server;
    if (url == null || url.isEmpty()) {
      throw new IOException("no server URL: set ipam.server or the kubeconfig cluster's server");
    }
    this.base = URI.create(url);
    if (!"https".equals(base.getScheme()) || base.getHost() == null) {
      throw new IOException("server URL must be https://host[:port]: " + url);
    }
    this.ssl = kc.sslContext();
    this.verifyHostname = !kc.insecureSkipTlsVerify;
    this.serverName = kc.tlsServerName != null ? kc.tlsServerName : base.getHost();
    this.authorization = kc.token == null ? null : "Bearer " + kc.token;
  }

  @Override
  public HttpResponse exchange(String method, String path, String body, Deadline deadline)
      throws IOException {
    int port = base.getPort() < 0 ? 443 : base.getPort();
    String prefix = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
    try (Socket raw = new Socket(); Deadline.Guard g = deadline.guard(raw)) {
      raw.connect(new InetSocketAddress(base.getHost(), port), (int) Math.max(1, deadline.remainingMillis()));
      // Layering on the connected socket lets SNI and hostname checks use tls-server-name while
      // the TCP connection goes to the URL's host.
      try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket(raw, serverName, port, true)) {
        SSLParameters p = s.getSSLParameters();
        if (verifyHostname) {
          p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        s.setSSLParameters(p);
        s.startHandshake();
        String host = base.getPort() < 0 ? base.getHost() : base.getHost() + ":" + port;
        return HttpResponse.exchange(new BufferedInputStream(s.getInputStream()),
            new BufferedOutputStream(s.getOutputStream()), method, prefix + path, host, authorization, body);
      }
    }
  }

  @Override
  public String describe() {
    return base.toString();
  }
}
