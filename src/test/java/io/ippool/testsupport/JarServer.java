package io.ippool.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server (target/ippool-apiserver.jar) as its own OS process, as an operator runs it. It is up
 * when it has written the kubeconfig into its data directory; its output goes to server.log there.
 */
public final class JarServer implements AutoCloseable {
  public static final Path JAR = Path.of("target/ippool-apiserver.jar").toAbsolutePath();
  private final Process process;
  private final Path dataDir;

  private JarServer(Process process, Path dataDir) {
    this.process = process;
    this.dataDir = dataDir;
  }

  public static boolean packaged() {
    return Files.exists(JAR);
  }

  /** Starts {@code java -jar} with {@code --data-dir dataDir --secure-port 0} and the given extra flags. */
  public static JarServer start(Path dataDir, String... flags) throws IOException, InterruptedException {
    Files.deleteIfExists(dataDir.resolve("kubeconfig"));
    List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-jar", JAR.toString(), "--data-dir", dataDir.toString(),
        "--secure-port", "0"));
    cmd.addAll(List.of(flags));
    Path log = dataDir.resolve("server.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    long deadline = System.currentTimeMillis() + 90_000;
    while (!Files.exists(dataDir.resolve("kubeconfig"))) {
      if (!p.isAlive() || System.currentTimeMillis() > deadline) {
        p.destroyForcibly();
        throw new AssertionError("server did not start:\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      Thread.sleep(100);
    }
    return new JarServer(p, dataDir);
  }

  /** The server's process id (e.g. to read its resident memory from /proc). */
  public long pid() {
    return process.pid();
  }

  public Path kubeconfig() {
    return dataDir.resolve("kubeconfig");
  }

  public String log() throws IOException {
    return Files.readString(dataDir.resolve("server.log"), StandardCharsets.UTF_8);
  }

  /** SIGTERM, as Ctrl-C or a kubelet would send; answers the exit code. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("server did not stop within 60 s of SIGTERM");
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }

  private static String javaBinary() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}
