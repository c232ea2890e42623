package io.ippool.agent;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where the server is and how the agent proves who it is: a CA to verify the server by, and either a bearer
 * token file (in a pod: the projected ServiceAccount token) or a token / client certificate from a kubeconfig.
 *
 * @param server        https://host:port of the server (its Service in a cluster)
 * @param caPem         PEM of the CA(s) the server's certificate chains to; null trusts the JVM's CAs
 * @param tokenFile     bearer token, re-read when rotated; null when {@code token} or a certificate is used
 * @param token         a fixed bearer token (from a kubeconfig); null otherwise
 * @param clientCertPem client certificate (PEM) and {@code clientKeyPem} its key; both null without one
 * @param tlsServerName the name to verify the server's certificate against, when not the URL's host
 */
public record Upstream(URI server, String caPem, TokenFile tokenFile, String token, String clientCertPem,
                       String clientKeyPem, String tlsServerName) {

  /** The header a request carries to prove the caller, or null when a client certificate does that. */
  public String authorization() {
    if (tokenFile != null) {
      return "Bearer " + tokenFile.token();
    }
    return token == null ? null : "Bearer " + token;
  }

  public static Upstream withTokenFile(URI server, String caPem, Path tokenFile) {
    return new Upstream(server, caPem, new TokenFile(tokenFile), null, null, null, null);
  }
}
