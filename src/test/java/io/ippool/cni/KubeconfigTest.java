package io.ippool.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kubeconfig parsing, PEM keys in every form the server may write, and an HTTPS round trip. */
class KubeconfigTest {
  @TempDir Path tmp;

  static String fixture(String name) throws Exception {
    try (InputStream in = KubeconfigTest.class.getResourceAsStream("/cni/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void pemKeys_readTraditionalAndPkcs8Forms() throws Exception {
    PrivateKey sec1 = PemKeys.privateKey(fixture("client-ec.key"));
    PrivateKey ec8 = PemKeys.privateKey(fixture("client-ec-pkcs8.key"));
    assertEquals(((ECPrivateKey) ec8).getS(), ((ECPrivateKey) sec1).getS());
    PrivateKey pkcs1 = PemKeys.privateKey(fixture("client-rsa.key"));
    PrivateKey rsa8 = PemKeys.privateKey(fixture("client-rsa-pkcs8.key"));
    assertEquals(((RSAPrivateCrtKey) rsa8).getPrivateExponent(), ((RSAPrivateCrtKey) pkcs1).getPrivateExponent());
  }

  @Test
  void miniYaml_readsKubectlAndJacksonStyles() {
    String kubectl = "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: QUJD\n"
        + "    server: https://10.0.0.1:6443 # comment\n  name: c1\ncontexts:\n- context:\n    cluster: c1\n"
        + "    user: u1\n  name: ctx\ncurrent-context: ctx\nkind: Config\npreferences: {}\nusers:\n- name: u1\n"
        + "  user:\n    token: 'a''b'\n";
    Map<String, Object> m = Json.object(MiniYaml.parse(kubectl), "y");
    assertEquals("ctx", m.get("current-context"));
    assertEquals(Map.of(), m.get("preferences"));
    Map<String, Object> c = Json.object(Json.object(((List<?>) m.get("clusters")).get(0), "c").get("cluster"), "c");
    assertEquals("https://10.0.0.1:6443", c.get("server"));
    Map<String, Object> u = Json.object(((List<?>) m.get("users")).get(0), "u");
    assertEquals("a'b", Json.object(u.get("user"), "u").get("token"));

    Map<String, Object> flow = Json.object(MiniYaml.parse("context: {cluster: c, user: 'u'}\nl: [a, b]\n"), "y");
    assertEquals(Map.of("cluster", "c", "user", "u"), flow.get("context"));
    assertEquals(List.of("a", "b"), flow.get("l"));

    String jackson = "---\napiVersion: \"v1\"\nclusters:\n  - name: \"c1\"\n    cluster:\n      server: \"https://h:1\"\n"
        + "kind: \"Config\"\n";
    Map<String, Object> j = Json.object(MiniYaml.parse(jackson), "y");
    Map<String, Object> c1 = Json.object(((List<?>) j.get("clusters")).get(0), "c");
    assertEquals("c1", c1.get("name"));
    assertEquals("https://h:1", Json.object(c1.get("cluster"), "c").get("server"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ec", "rsa"})
  void add_overHttpsWithClientCertificate(String keyKind) throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (SSLServerSocket server = tlsServer()) {
      Thread t = new Thread(() -> serve(server, seen));
      t.setDaemon(true);
      t.start();
      Path kc = tmp.resolve("kubeconfig");
      // CA inline, client credentials as files relative to the kubeconfig: both forms are read.
      Files.writeString(tmp.resolve("client.crt"), fixture("client-" + keyKind + ".crt"));
      Files.writeString(tmp.resolve("client.key"), fixture("client-" + keyKind + ".key"));
      Files.writeString(kc, "apiVersion: v1\nkind: Config\nclusters:\n- name: ippool\n  cluster:\n"
          + "    server: https://127.0.0.1:" + server.getLocalPort() + "\n"
          + "    certificate-authority-data: " + b64(fixture("ca.crt")) + "\n"
          + "users:\n- name: node\n  user:\n    client-certificate: client.crt\n    client-key: client.key\n"
          + "contexts:\n- name: default\n  context:\n    cluster: ippool\n    user: node\ncurrent-context: default\n");
      String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\",\"ipam\":{\"type\":\"ippool-cni\","
          + "\"kubeconfig\":\"" + kc + "\",\"timeout_seconds\":10}}";
      PluginTest.Run r = PluginTest.run(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1",
          "CNI_NETNS", "/var/run/netns/x", "CNI_IFNAME", "eth0"), conf);
      assertEquals(0, r.rc(), r.out() + r.err());
      assertEquals("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.9.0.5/24\"}],\"dns\":{}}", r.out());
      assertEquals(2, seen.size(), seen.toString());
      assertTrue(seen.get(0).startsWith("GET /v1/ipam/healthy "), seen.get(0));
      assertTrue(seen.get(1).startsWith("POST /v1/ipam/ip ") && seen.get(1).contains("CN=" + (keyKind.equals("ec")
          ? "system:node:test" : "rsa-client")), seen.get(1));
    }
  }

  @Test
  void missingKubeconfig_isTryAgainLater() {
    String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\",\"ipam\":{\"type\":\"ippool-cni\","
        + "\"kubeconfig\":\"" + tmp.resolve("absent") + "\"}}";
    PluginTest.Run r = PluginTest.run(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1",
        "CNI_NETNS", "/var/run/netns/x", "CNI_IFNAME", "eth0"), conf);
    assertEquals(CniException.TRY_AGAIN_LATER, r.code());
  }

  private SSLServerSocket tlsServer() throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    Certificate serverCert = cf.generateCertificate(new ByteArrayInputStream(fixture("server.crt").getBytes()));
    Certificate ca = cf.generateCertificate(new ByteArrayInputStream(fixture("ca.crt").getBytes()));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("s", PemKeys.privateKey(fixture("server-pkcs8.key")), "pw".toCharArray(), new Certificate[] {serverCert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "pw".toCharArray());
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 5,
        java.net.InetAddress.getLoopbackAddress());
    s.setNeedClientAuth(true);
    return s;
  }

  /** Answers healthy and one allocation; records "request line + client subject". */
  private static void serve(SSLServerSocket server, List<String> seen) {
    while (true) {
      try (SSLSocket c = (SSLSocket) server.accept()) {
        InputStream in = new BufferedInputStream(c.getInputStream());
        StringBuilder line = new StringBuilder();
        for (int ch = in.read(); ch != '\n'; ch = in.read()) {
          line.append((char) ch);
        }
        int len = 0;
        StringBuilder h = new StringBuilder();
        while (true) {
          h.setLength(0);
          for (int ch = in.read(); ch != '\n'; ch = in.read()) {
            h.append((char) ch);
          }
          String hs = h.toString().trim();
          if (hs.isEmpty()) {
            break;
          }
          if (hs.toLowerCase().startsWith("content-length:")) {
            len = Integer.parseInt(hs.substring(15).trim());
          }
        }
        in.readNBytes(len);
        X509Certificate peer = (X509Certificate) c.getSession().getPeerCertificates()[0];
        seen.add(line.toString().trim() + " " + peer.getSubjectX500Principal().getName());
        String body = line.toString().startsWith("POST")
            ? "{\"ips\":[{\"version\":4,\"address\":\"10.9.0.5/24\",\"nic\":\"eth0\"}]}" : "";
        OutputStream out = c.getOutputStream();
        // chunked on purpose: the client must not depend on Content-Length
        String chunked = body.isEmpty() ? "0\r\n\r\n" : Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
        out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked).getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (Exception e) {
        return;
      }
    }
  }
}
