package io.ippool.cni;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Optional one-line-per-call log ({@code ipam.log_file_path}). Runtimes often drop a plugin's
 * stderr, so this is the only trace of what a node's plugin did. Failures to log never fail CNI.
 */
final class RunLog {
  private RunLog() {}

  static void write(NetConf conf, String command, CniEnv env, String outcome) {
    if (conf == null || conf.logFile == null) {
      return;
    }
    String line = Instant.now() + " " + command
        + (env == null ? "" : " container=" + env.containerId + " if=" + env.ifName
            + " pod=" + env.podNamespace + "/" + env.podName)
        + " " + outcome.replace('\n', ' ') + "\n";
    try {
      Files.writeString(Path.of(conf.logFile), line, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    } catch (IOException | RuntimeException ignored) {
      // logging is best effort
    }
  }
}
