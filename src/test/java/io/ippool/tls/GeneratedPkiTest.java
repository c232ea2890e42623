package io.ippool.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedPkiTest {

  /** fabric8 loads the admin key only if its PEM header names the algorithm (it assumes RSA otherwise). */
  @Test
  void kubeconfigClientKey_isSec1_andLoadsInFabric8(@TempDir Path dir) throws Exception {
    GeneratedPki pki = GeneratedPki.ensure(dir, "127.0.0.1", List.of());
    String kubeconfig = pki.kubeconfig("https://127.0.0.1:6443");
    String keyData = kubeconfig.lines().filter(l -> l.contains("client-key-data:")).findFirst().orElseThrow()
        .replaceFirst(".*client-key-data:\\s*", "");
    String pem = new String(Base64.getDecoder().decode(keyData), StandardCharsets.US_ASCII);
    assertTrue(pem.startsWith("-----BEGIN EC PRIVATE KEY-----"), pem);
    // The same key as the file next to it, just in the other encoding.
    assertEquals(((ECPrivateKey) Pem.readPrivateKey(Files.readString(pki.adminKey))).getS(),
        ((ECPrivateKey) Pem.readPrivateKey(pem)).getS());

    Config config = Config.fromKubeconfig(kubeconfig);
    assertEquals("EC", config.getClientKeyAlgo());
    // Building the client builds its SSL context, which is where a mis-guessed key algorithm fails.
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      assertEquals("https://127.0.0.1:6443/", client.getMasterUrl().toString());
    }
  }
}
