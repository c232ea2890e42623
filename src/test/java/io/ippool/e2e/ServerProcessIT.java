package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.testsupport.Kubectl;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    Path jar = Path.of("target/ippool-apiserver.jar").toAbsolutePath();
    Assumptions.assumeTrue(Files.exists(jar), "run after package");
    Path data = Files.createTempDirectory("ippool-data");

    Process first = start(jar, data);
    try {
      Kubectl kubectl = new Kubectl(data.resolve("kubeconfig"));
      var created = kubectl.runWithInput(Files.readString(Path.of("examples/reserved-ip-guide.yaml")), "apply", "-f",
          "-");
      assertEquals(0, created.exit(), created.toString());
    } finally {
      stop(first);
    }
    assertEquals(0, first.exitValue(), "SIGTERM is a clean shutdown");
    String log = Files.readString(data.resolve("server.log"));
    assertTrue(log.contains("stopped"), log);

    Process second = start(jar, data);
    try {
      var get = new Kubectl(data.resolve("kubeconfig")).run("get", "sp,sr", "-o", "name");
      assertEquals(0, get.exit(), get.toString());
      assertTrue(get.out().contains("spiderippool.spiderpool.spidernet.io/test-ipv4-ippool"), get.out());
      assertTrue(get.out().contains("spiderreservedip.spiderpool.spidernet.io/test-ipv4-reservedip"), get.out());
    } finally {
      stop(second);
    }
    assertEquals(0, second.exitValue());
  }

  private static Process start(Path jar, Path data) throws Exception {
    Files.deleteIfExists(data.resolve("kubeconfig"));
    ProcessBuilder pb = new ProcessBuilder(List.of(javaBinary(), "-jar", jar.toString(), "--data-dir", data.toString(),
        "--secure-port", "0"));
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("server.log").toFile()));
    Process p = pb.start();
    long deadline = System.currentTimeMillis() + 90_000;
    while (!Files.exists(data.resolve("kubeconfig"))) {
      if (!p.isAlive() || System.currentTimeMillis() > deadline) {
        p.destroyForcibly();
        throw new AssertionError("server did not start:\n"
            + Files.readString(data.resolve("server.log"), StandardCharsets.UTF_8));
      }
      Thread.sleep(100);
    }
    return p;
  }

  private static void stop(Process p) throws Exception {
    p.destroy(); // SIGTERM, as Ctrl-C or a kubelet would send
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("server did not stop within 60 s of SIGTERM");
    }
  }

  private static String javaBinary() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}
