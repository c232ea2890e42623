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

  /** Exit code of a usage error (unknown command, bad flag), as picocli uses. */
  static final int USAGE = 2;

  /**
   * Runs a command line; exit code 2 for usage errors. No arguments, or flags only, mean {@code serve}; a first
   * word that is no command is an error, never quietly taken for an argument of {@code serve}.
   */
  public static int run(String... args) {
    // Wide enough that long environment variable names are never split across lines.
    CommandLine cli = new CommandLine(new Main()).setUsageHelpWidth(130)
        .setParameterExceptionHandler(Main::shortUsageError);
    boolean hasSubcommand = args.length > 0 && cli.getSubcommands().containsKey(args[0]);
    boolean topLevelFlag = args.length > 0 && (args[0].equals("--help") || args[0].equals("-h")
        || args[0].equals("--version") || args[0].equals("-V"));
    if (args.length > 0 && !hasSubcommand && !args[0].startsWith("-")) {
      cli.getErr().println("ippool-apiserver: unknown command \"" + args[0] + "\"; commands: "
          + String.join(", ", cli.getSubcommands().keySet()) + ". See 'ippool-apiserver --help'.");
      cli.getErr().flush();
      return USAGE;
    }
    if (!hasSubcommand && !topLevelFlag) {
      String[] withServe = new String[args.length + 1];
      withServe[0] = "serve";
      System.arraycopy(args, 0, withServe, 1, args.length);
      args = withServe;
    }
    return cli.execute(args);
  }

  /** One line saying what is wrong and one saying where help is, instead of the whole usage text. */
  private static int shortUsageError(CommandLine.ParameterException e, String[] args) {
    CommandLine failed = e.getCommandLine();
    String name = failed.getCommandSpec().qualifiedName();
    failed.getErr().println(name + ": " + e.getMessage());
    failed.getErr().println("See '" + name + " --help'.");
    failed.getErr().flush();
    return USAGE;
  }

  @Override
  public Integer call() {
    return new CommandLine(new ServeCommand()).execute();
  }
}
