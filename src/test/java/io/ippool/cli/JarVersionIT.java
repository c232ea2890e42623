package io.ippool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ippool.testsupport.JarServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged jar knows its version from its manifest: `version` prints the project's, never "dev". */
class JarVersionIT {
  @Test
  void versionComesFromTheManifest() throws Exception {
    assumeTrue(JarServer.packaged(), "target/ippool-apiserver.jar not built (run mvn verify)");
    String expected = System.getProperty("project.version");
    assumeTrue(expected != null, "project.version not passed by the build");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-jar", JarServer.JAR.toString(), "version").redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(true, p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertEquals("ippool-apiserver " + expected + "\n", out);
  }
}
