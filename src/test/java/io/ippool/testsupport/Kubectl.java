package io.ippool.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real kubectl from the PATH against a test server, with its own HOME so the discovery cache of
 * one test server never leaks into another.
 */
public final class Kubectl {
  private final Path kubeconfig;
  private final Path home;

  public record Result(int exit, String out, String err) {
    public String all() {
      return out + err;
    }

    @Override
    public String toString() {
      return "exit=" + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  public Kubectl(Path kubeconfig) {
    this.kubeconfig = kubeconfig;
    try {
      this.home = Files.createTempDirectory("kubectl-home");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static boolean available() {
    try {
      Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  public Result run(String... args) {
    return runWithInput(null, args);
  }

  /** Runs with {@code stdin} as standard input (e.g. {@code apply -f -}). */
  public Result runWithInput(String stdin, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("kubectl");
    cmd.add("--kubeconfig=" + kubeconfig);
    cmd.addAll(List.of(args));
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("HOME", home.toString());
      pb.environment().remove("KUBECONFIG");
      Process p = pb.start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      var out = new java.util.concurrent.CompletableFuture<String>();
      var err = new java.util.concurrent.CompletableFuture<String>();
      new Thread(() -> out.complete(read(p.getInputStream()))).start();
      new Thread(() -> err.complete(read(p.getErrorStream()))).start();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("kubectl " + args[0] + " did not finish in 90 s");
      }
      return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("cannot run kubectl", e);
    }
  }

  /** Starts kubectl without waiting (e.g. {@code get -w}); the caller reads and destroys it. */
  public Process start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("kubectl");
    cmd.add("--kubeconfig=" + kubeconfig);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("HOME", home.toString());
    pb.environment().remove("KUBECONFIG");
    return pb.start();
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
