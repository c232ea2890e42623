package io.ippool.cni;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The parts of a kubeconfig the plugin needs: the current context's cluster (server, CA,
 * tls-server-name, insecure-skip-tls-verify) and user (client certificate and key, or a token).
 * Both inline {@code *-data} values and file paths (relative to the kubeconfig) are accepted.
 */
final class Kubeconfig {
  final String server;
  final boolean insecureSkipTlsVerify;
  final String tlsServerName;
  final String token;
  private final byte[] caPem;
  private final byte[] certPem;
  private final byte[] keyPem;

  private Kubeconfig(Path file, Map<String, Object> cluster, Map<String, Object> user) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    this.server = str(cluster, "server");
    this.insecureSkipTlsVerify = Boolean.TRUE.equals(cluster.get("insecure-skip-tls-verify"));
    this.tlsServerName = str(cluster, "tls-server-name");
    this.caPem = bytes(dir, cluster, "certificate-authority");
    this.certPem = bytes(dir, user, "client-certificate");
    this.keyPem = bytes(dir, user, "client-key");
    String tok = str(user, "token");
    String tokFile = str(user, "tokenFile");
    if (tok == null && tokFile != null) {
      tok = Files.readString(dir.resolve(tokFile)).trim();
    }
    this.token = tok;
  }

  static Kubeconfig load(Path file) throws IOException {
    Map<String, Object> root;
    try {
      root = Json.object(MiniYaml.parse(Files.readString(file)), "kubeconfig");
    } catch (IllegalArgumentException e) {
      throw new IOException("cannot parse kubeconfig " + file + ": " + e.getMessage());
    }
    if (root == null) {
      throw new IOException("kubeconfig " + file + " is empty");
    }
    String ctxName = str(root, "current-context");
    Map<String, Object> ctx = named(root, "contexts", "context", ctxName, file);
    Map<String, Object> cluster = named(root, "clusters", "cluster", str(ctx, "cluster"), file);
    Map<String, Object> user = named(root, "users", "user", str(ctx, "user"), file);
    return new Kubeconfig(file, cluster, user);
  }

  /** The entry called {@code name} of a named list; with no name, the list's only entry. */
  private static Map<String, Object> named(Map<String, Object> root, String list, String field,
      String name, Path file) throws IOException {
    List<Object> items = Json.array(root.get(list), list);
    if (items != null) {
      for (Object o : items) {
        Map<String, Object> m = Json.object(o, list);
        if (m != null && (name == null && items.size() == 1 || name != null && name.equals(m.get("name")))) {
          Map<String, Object> inner = Json.object(m.get(field), field);
          return inner == null ? Map.of() : inner;
        }
      }
    }
    throw new IOException("kubeconfig " + file + " has no " + field + " \"" + (name == null ? "" : name) + "\"");
  }

  private static String str(Map<String, Object> m, String k) {
    Object v = m.get(k);
    return v == null ? null : String.valueOf(v);
  }

  private static byte[] bytes(Path dir, Map<String, Object> m, String key) throws IOException {
    String data = str(m, key + "-data");
    if (data != null) {
      return Base64.getMimeDecoder().decode(data);
    }
    String path = str(m, key);
    return path == null ? null : Files.readAllBytes(dir.resolve(path));
  }

  SSLContext sslContext() throws IOException {
    try {
      KeyManagerFactory kmf = null;
      if (certPem != null && keyPem != null) {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        Collection<? extends Certificate> chain = cf.generateCertificates(new ByteArrayInputStream(certPem));
        PrivateKey key = PemKeys.privateKey(new String(keyPem, StandardCharsets.US_ASCII));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "ippool-cni".toCharArray();
        ks.setKeyEntry("client", key, pw, chain.toArray(new Certificate[0]));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
      }
      TrustManager[] tms = null; // null = the JDK's default trust store
      if (insecureSkipTlsVerify) {
        tms = new TrustManager[] {new TrustAll()};
      } else if (caPem != null) {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        int n = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(caPem))) {
          ts.setCertificateEntry("ca" + n++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        tms = tmf.getTrustManagers();
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tms, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot build TLS context from kubeconfig: " + e.getMessage(), e);
    }
  }

  /** Only for insecure-skip-tls-verify: true, which kubectl honours the same way. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
