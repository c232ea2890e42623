package io.ippool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's flag table and {@code serve --help} say the same thing: same flags, same environment variables,
 * same defaults. Flags are documented once, in the code; this test keeps the README honest.
 */
class CliHelpTest {
  private static final String TABLE_HEADER = "| flag | environment | default | meaning |";
  private static final String AGENT_TABLE_HEADER = "| agent flag | environment | default | meaning |";
  private static final Pattern OPTION_LINE = Pattern.compile("^  (?:-\\w, |    )(--[a-z][a-z0-9-]*)(?:\\[?=\\S+)?(?:\\s+(.*))?$");
  private static final Pattern CELL_CODE = Pattern.compile("^`([^`]*)`$");

  record Run(int exit, String out, String err) {
  }

  record ReadmeRow(String flag, String env, String defaultValue) {
  }

  static Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int exit = Main.run(args);
      return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** The rows of README.md's flag table; a default in backticks is a value, anything else means "none". */
  static Map<String, ReadmeRow> readmeFlags() throws Exception {
    return readmeFlags(TABLE_HEADER);
  }

  static Map<String, ReadmeRow> readmeFlags(String header) throws Exception {
    List<String> lines = Files.readAllLines(Path.of("README.md"));
    int start = lines.indexOf(header);
    assertTrue(start >= 0, "README.md has no flag table starting with " + header);
    Map<String, ReadmeRow> rows = new LinkedHashMap<>();
    for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      String[] cells = lines.get(i).split("\\|");
      String flag = code(cells[1].trim());
      String env = code(cells[2].trim());
      String def = code(cells[3].trim());
      assertTrue(flag != null && env != null, "flag and environment must be in backticks: " + lines.get(i));
      rows.put(flag, new ReadmeRow(flag, env, def));
    }
    return rows;
  }

  private static String code(String cell) {
    Matcher m = CELL_CODE.matcher(cell);
    return m.matches() ? m.group(1) : null;
  }

  /** Each option of the help text with its description, wrapped lines joined. */
  static Map<String, String> helpFlags(String help) {
    Map<String, String> flags = new LinkedHashMap<>();
    String current = null;
    List<String> text = new ArrayList<>();
    for (String line : help.split("\\R")) {
      Matcher m = OPTION_LINE.matcher(line);
      if (m.matches()) {
        if (current != null) {
          flags.put(current, String.join(" ", text));
        }
        current = m.group(1);
        text.clear();
        if (m.group(2) != null) {
          text.add(m.group(2).trim());
        }
      } else if (current != null && line.startsWith("      ")) {
        text.add(line.trim());
      }
    }
    if (current != null) {
      flags.put(current, String.join(" ", text));
    }
    flags.remove("--help");
    flags.remove("--version");
    return flags;
  }

  @Test
  void serveHelp_andReadmeTable_listTheSameFlagsEnvironmentAndDefaults() throws Exception {
    assertHelpMatchesReadme("serve", TABLE_HEADER);
  }

  @Test
  void agentHelp_andReadmeTable_listTheSameFlagsEnvironmentAndDefaults() throws Exception {
    assertHelpMatchesReadme("agent", AGENT_TABLE_HEADER);
  }

  @Test
  void agentFlags_readTheEnvironmentVariablesTheyName() throws Exception {
    Map<String, String> expressions = new LinkedHashMap<>();
    collectDefaults(AgentCommand.class, expressions);
    for (ReadmeRow row : readmeFlags(AGENT_TABLE_HEADER).values()) {
      String expr = expressions.get(row.flag());
      assertTrue(expr != null, row.flag() + " has no @Option with a default expression");
      assertTrue(expr.equals("${env:" + row.env() + "}") || expr.startsWith("${env:" + row.env() + ":-"),
          row.flag() + " reads " + expr);
    }
  }

  @Test
  void agentWithoutNodeName_exits2SayingSo() {
    Run r = run("agent", "--ipam-socket", "/nonexistent/x.sock");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--node-name (or IPPOOL_NODE_NAME) is required"), r.err());
  }

  private static void assertHelpMatchesReadme(String command, String header) throws Exception {
    Run help = run(command, "--help");
    assertEquals(0, help.exit(), help.err());
    Map<String, String> inHelp = helpFlags(help.out());
    Map<String, ReadmeRow> inReadme = readmeFlags(header);
    assertTrue(inHelp.size() >= 10, "help parsed: " + inHelp.keySet() + "\n" + help.out());
    assertEquals(new TreeSet<>(inReadme.keySet()), new TreeSet<>(inHelp.keySet()),
        "flags in README.md's table vs " + command + " --help");
    for (ReadmeRow row : inReadme.values()) {
      String description = inHelp.get(row.flag());
      assertTrue(description.matches(".*\\bEnv " + Pattern.quote(row.env()) + "\\b.*"),
          row.flag() + ": help should name env " + row.env() + ": " + description);
      if (row.defaultValue() != null) {
        assertTrue(description.contains("Default: " + row.defaultValue()),
            row.flag() + ": help should say Default: " + row.defaultValue() + ": " + description);
      } else {
        assertFalse(description.contains("Default:"),
            row.flag() + ": README gives no default value, help does: " + description);
      }
    }
  }

  @Test
  void everyFlagReadsTheEnvironmentVariableItNames() throws Exception {
    // The env name in the help text is prose; the one picocli reads is in the annotation's default expression
    // (the model only keeps its interpolated value).
    Map<String, String> expressions = new LinkedHashMap<>();
    collectDefaults(ServeCommand.class, expressions);
    for (ReadmeRow row : readmeFlags().values()) {
      String expr = expressions.get(row.flag());
      assertTrue(expr != null, row.flag() + " has no @Option with a default expression");
      assertTrue(expr.equals("${env:" + row.env() + "}") || expr.startsWith("${env:" + row.env() + ":-"),
          row.flag() + " reads " + expr);
    }
  }

  private static void collectDefaults(Class<?> type, Map<String, String> into) {
    for (java.lang.reflect.Field f : type.getDeclaredFields()) {
      picocli.CommandLine.Option o = f.getAnnotation(picocli.CommandLine.Option.class);
      if (o != null) {
        for (String name : o.names()) {
          into.put(name, o.defaultValue());
        }
      }
      if (f.isAnnotationPresent(picocli.CommandLine.Mixin.class)) {
        collectDefaults(f.getType(), into);
      }
    }
  }

  @Test
  void unknownFlag_exits2WithTheFlagNamed() {
    Run r = run("serve", "--no-such-flag");
    assertEquals(2, r.exit());
    assertEquals("ippool-apiserver serve: Unknown option: '--no-such-flag'\n"
        + "See 'ippool-apiserver serve --help'.\n", r.err().replace("\r\n", "\n"),
        "one line saying what is wrong and a hint, not the whole help text");
    assertEquals("", r.out());
  }

  @Test
  void mistypedCommand_isAnUnknownCommand_notServesHelp() {
    Run r = run("serv", "--data-dir", "/tmp/x");
    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("ippool-apiserver: unknown command \"serv\"; commands: "), r.err());
    assertTrue(r.err().contains("serve, agent, report, import, version"), r.err());
    assertFalse(r.err().contains("Usage:"), r.err());
    assertTrue(r.err().lines().count() <= 2, r.err());
    assertEquals("", r.out());
  }

  @Test
  void unknownFlagWithoutCommand_isServesAndExits2() {
    Run r = run("--no-such-flag");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("Unknown option: '--no-such-flag'"), r.err());
  }

  @Test
  void badValues_exit2WithWhatIsWrong() {
    Run port = run("serve", "--secure-port=abc");
    assertEquals(2, port.exit());
    assertTrue(port.err().contains("Invalid value for option '--secure-port': 'abc' is not an int"), port.err());

    Run format = run("serve", "--log-format=xml");
    assertEquals(2, format.exit());
    assertTrue(format.err().contains("'xml' is not a log format (text, json)"), format.err());

    Run level = run("serve", "--log-level", "loud");
    assertEquals(2, level.exit());
    assertTrue(level.err().contains("'loud' is not a log level (trace, debug, info, warn, error)"), level.err());

    Run retention = run("serve", "--event-retention=soon");
    assertEquals(2, retention.exit());
    assertTrue(retention.err().contains("'soon' is not a duration"), retention.err());
  }

  @Test
  void missingValue_exits2() {
    Run r = run("serve", "--data-dir");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("Missing required parameter for option '--data-dir'"), r.err());
  }

  @Test
  void topLevelHelpAndVersion_exit0() {
    Run help = run("--help");
    assertEquals(0, help.exit());
    assertTrue(help.out().contains("serve"), help.out());
    Run version = run("version");
    assertEquals(0, version.exit());
    assertTrue(version.out().startsWith("ippool-apiserver "), version.out());
    Run flag = run("--version");
    assertEquals(0, flag.exit());
    assertEquals(version.out(), flag.out(), "the flag and the command print the same line");
  }
}
