package io.ippool.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The certificates a standalone server makes for itself on first start, in DATA_DIR/pki: a CA, a serving
 * certificate for the bind address, localhost and the in-cluster service names, and an admin client
 * certificate (group system:masters) written into DATA_DIR/kubeconfig. Existing files are reused, so
 * clients keep trusting the server across restarts.
 */
public final class GeneratedPki {
  public static final String ADMIN_USER = "ippool-admin";
  public static final String ADMIN_GROUP = "system:masters";
  private static final Duration CA_VALIDITY = Duration.ofDays(3650);
  private static final Duration LEAF_VALIDITY = Duration.ofDays(825);

  public final Path caCert;
  public final Path caKey;
  public final Path serverCert;
  public final Path serverKey;
  public final Path adminCert;
  public final Path adminKey;

  private GeneratedPki(Path dir) {
    caCert = dir.resolve("ca.crt");
    caKey = dir.resolve("ca.key");
    serverCert = dir.resolve("serving.crt");
    serverKey = dir.resolve("serving.key");
    adminCert = dir.resolve("admin.crt");
    adminKey = dir.resolve("admin.key");
  }

  /** Loads the PKI in {@code dir}, creating whatever is missing. */
  public static GeneratedPki ensure(Path dir, String bindAddress, List<String> extraNames) throws IOException {
    GeneratedPki pki = new GeneratedPki(dir);
    CertificateAuthority ca;
    if (Files.exists(pki.caCert) && Files.exists(pki.caKey)) {
      ca = new CertificateAuthority(Pem.readCertificates(Files.readString(pki.caCert)).get(0),
          Pem.readPrivateKey(Files.readString(pki.caKey)));
    } else {
      ca = CertificateAuthority.create("ippool-apiserver-ca", CA_VALIDITY);
      Pem.writeFile(pki.caKey, Pem.encode(ca.key()), true);
      Pem.writeFile(pki.caCert, Pem.encode(ca.certificate()), false);
    }
    if (!Files.exists(pki.serverCert) || !Files.exists(pki.serverKey)) {
      List<String> dns = new ArrayList<>(List.of("localhost", "ippool-apiserver", "ippool-apiserver.ippool-system",
          "ippool-apiserver.ippool-system.svc", "ippool-apiserver.ippool-system.svc.cluster.local"));
      List<String> ips = new ArrayList<>(List.of("127.0.0.1", "::1"));
      for (String n : extraNames) {
        (looksLikeIp(n) ? ips : dns).add(n);
      }
      if (!bindAddress.equals("0.0.0.0") && !bindAddress.equals("::") && !ips.contains(bindAddress)) {
        (looksLikeIp(bindAddress) ? ips : dns).add(bindAddress);
      }
      var issued = ca.issueServer("ippool-apiserver", dns, ips, LEAF_VALIDITY);
      Pem.writeFile(pki.serverKey, Pem.encode(issued.key()), true);
      Pem.writeFile(pki.serverCert, Pem.encode(issued.certificate()) + Pem.encode(ca.certificate()), false);
    }
    if (!Files.exists(pki.adminCert) || !Files.exists(pki.adminKey)) {
      var issued = ca.issueClient(ADMIN_USER, List.of(ADMIN_GROUP), LEAF_VALIDITY);
      Pem.writeFile(pki.adminKey, Pem.encode(issued.key()), true);
      Pem.writeFile(pki.adminCert, Pem.encode(issued.certificate()), false);
    }
    return pki;
  }

  /**
   * A kubeconfig that reaches this server as the admin user. The key goes in as SEC1 ("EC PRIVATE KEY"):
   * client-go reads any form, but fabric8 picks the key algorithm from the PEM header and fails on an EC key
   * in PKCS#8.
   */
  public String kubeconfig(String serverUrl) throws IOException {
    Base64.Encoder b64 = Base64.getEncoder();
    byte[] clientKey = Pem.encodeSec1(Pem.readPrivateKey(Files.readString(adminKey)),
        Pem.readCertificates(Files.readString(adminCert)).get(0))
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: ippool
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: ippool-admin
          user:
            client-certificate-data: %s
            client-key-data: %s
        contexts:
        - name: ippool
          context:
            cluster: ippool
            user: ippool-admin
        current-context: ippool
        """.formatted(serverUrl, b64.encodeToString(Files.readAllBytes(caCert)),
        b64.encodeToString(Files.readAllBytes(adminCert)), b64.encodeToString(clientKey));
  }

  private static boolean looksLikeIp(String s) {
    return s.matches("[0-9.]+") || s.contains(":");
  }
}
