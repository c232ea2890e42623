package io.ippool;

import io.ippool.cli.AgentCommand;
import io.ippool.cli.ImportCommand;
import io.ippool.cli.ReportCommand;
import io.ippool.cli.ServeCommand;
import io.ippool.cli.VersionCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: `serve` is the default command. */
@Command(name = "ippool-apiserver", mixinStandardHelpOptions = true, versionProvider = VersionCommand.class,
    description = "IP address management for Kubernetes: Spiderpool's API served from PostgreSQL.",
    subcommands = {ServeCommand.class, AgentCommand.class, ReportCommand.class, ImportCommand.class, VersionCommand.class})
public final class Main implements Callable<Integer> {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line; exit code 2 for usage errors, as picocli does. */
  public static int run(String... args) {
    // Wide enough that long environment variable names are never split across lines.
    CommandLine cli = new CommandLine(new Main()).setUsageHelpWidth(130);
    boolean hasSubcommand = args.length > 0 && cli.getSubcommands().containsKey(args[0]);
    boolean topLevelFlag = args.length > 0 && (args[0].equals("--help") || args[0].equals("-h")
        || args[0].equals("--version") || args[0].equals("-V"));
    if (!hasSubcommand && !topLevelFlag) {
      String[] withServe = new String[args.length + 1];
      withServe[0] = "serve";
      System.arraycopy(args, 0, withServe, 1, args.length);
      args = withServe;
    }
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    return new CommandLine(new ServeCommand()).execute();
  }
}
