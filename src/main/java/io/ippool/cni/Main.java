package io.ippool.cni;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Entry point of the {@code ippool-cni} executable (see cni/README.md). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // Raw fd 1: nothing else may write to stdout, the runtime parses all of it as JSON.
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    int rc = new Plugin().run(System.getenv(), System.in, out, System.err);
    out.flush();
    // halt skips shutdown hooks and finalization: nothing to clean up, and it saves a few ms.
    Runtime.getRuntime().halt(rc);
  }
}
