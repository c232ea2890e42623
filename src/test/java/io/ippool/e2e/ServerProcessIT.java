package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.testsupport.JarServer;
import io.ippool.testsupport.Kubectl;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The packaged server as a newcomer runs it: `java -jar` with no database flags (embedded PostgreSQL in the data
 * directory), kubectl with the generated kubeconfig, a clean stop on SIGTERM, and every object still there after
 * the next start.
 */
class ServerProcessIT {

  @Test
  void jarStartsWithEmbeddedDatabase_keepsObjectsAcrossRestart_andStopsCleanly() throws Exception {
    Assumptions.assumeTrue(Kubectl.available(), "kubectl is not on the PATH");
    Assumptions.assumeTrue(JarServer.packaged(), "run after package");
    Path data = Files.createTempDirectory("ippool-data");

    JarServer first = JarServer.start(data);
    int exit;
    try {
      Kubectl kubectl = new Kubectl(first.kubeconfig());
      var created = kubectl.runWithInput(Files.readString(Path.of("examples/reserved-ip-guide.yaml")), "apply", "-f",
          "-");
      assertEquals(0, created.exit(), created.toString());
    } finally {
      exit = first.stop();
    }
    assertEquals(0, exit, "SIGTERM is a clean shutdown");
    assertTrue(first.log().contains("stopped"), first.log());

    try (JarServer second = JarServer.start(data)) {
      var get = new Kubectl(second.kubeconfig()).run("get", "sp,sr", "-o", "name");
      assertEquals(0, get.exit(), get.toString());
      assertTrue(get.out().contains("spiderippool.spiderpool.spidernet.io/test-ipv4-ippool"), get.out());
      assertTrue(get.out().contains("spiderreservedip.spiderpool.spidernet.io/test-ipv4-reservedip"), get.out());
      assertEquals(0, second.stop());
    }
  }
}
