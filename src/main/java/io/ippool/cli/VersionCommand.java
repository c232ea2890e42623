package io.ippool.cli;

import io.ippool.Main;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** `version`: prints the build version. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version.")
public final class VersionCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.out.println("ippool-apiserver " + Main.version());
    return 0;
  }
}
