package io.ippool.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `version`: prints the build version; also what `--version` prints. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version.")
public final class VersionCommand implements Callable<Integer>, CommandLine.IVersionProvider {
  @Override
  public Integer call() {
    System.out.println(line());
    return 0;
  }

  @Override
  public String[] getVersion() {
    return new String[] {line()};
  }

  /** The jar manifest's Implementation-Version; "dev" when run from classes. */
  public static String version() {
    String v = VersionCommand.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static String line() {
    return "ippool-apiserver " + version();
  }
}
