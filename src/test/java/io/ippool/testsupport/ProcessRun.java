package io.ippool.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a prepared process to its end: writes {@code stdin} (if any) and closes it, reads stdout and stderr at the
 * same time (so neither pipe can fill and stall the process), and fails the test when it outlives the timeout.
 */
public final class ProcessRun {
  public record Result(int exit, String out, String err) {
  }

  private ProcessRun() {
  }

  public static Result run(ProcessBuilder pb, String stdin, Duration timeout) throws IOException, InterruptedException {
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(pb.command() + " did not finish in " + timeout.toSeconds() + " s");
    }
    return new Result(p.exitValue(), out.join(), err.join());
  }

  private static String read(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
