package io.ippool.cli;

import io.ippool.store.ReportingQueries;
import io.ippool.api.JsonStrings;

import io.ippool.store.DatabaseUrl;
import io.ippool.store.EmbeddedDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `report`: prints reporting.pool_utilization for people without psql.
 *
 * <p>Database: --database-url if given; otherwise the embedded PostgreSQL in DATA_DIR/postgres. If a
 * postmaster already runs on that directory (the API server, per postmaster.pid), the report connects to
 * it; only when none does is the embedded server started for the report and stopped afterwards. Starting
 * a second postmaster on a live data directory is never attempted.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Print pool utilisation (reporting.pool_utilization) as a table, CSV or JSON.")
public final class ReportCommand implements Callable<Integer> {

  /** Output formats. */
  public enum Output { table, csv, json }

  static final String QUERY = ReportingQueries.POOL_UTILIZATION;

  @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "table",
      description = "table, csv or json. Default: ${DEFAULT-VALUE}")
  Output output;

  @Option(names = "--database-url", paramLabel = "URL", defaultValue = "${env:IPPOOL_DATABASE_URL}",
      description = "postgresql://user:password@host:port/db; empty reads the embedded PostgreSQL of "
          + "--data-dir. Env IPPOOL_DATABASE_URL.")
  String databaseUrl;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:IPPOOL_DATA_DIR:-./data}",
      description = "The server's data directory (embedded PostgreSQL in DIR/postgres). Env IPPOOL_DATA_DIR. "
          + "Default: ${DEFAULT-VALUE}")
  Path dataDir;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (databaseUrl != null && !databaseUrl.isBlank()) {
      return report(DatabaseUrl.parse(databaseUrl), out, err);
    }
    Path pgData = dataDir.resolve("postgres");
    if (!Files.isRegularFile(pgData.resolve("PG_VERSION"))) {
      err.println("no database: " + pgData + " is not a PostgreSQL data directory (give --database-url or the "
          + "server's --data-dir)");
      return 1;
    }
    DatabaseUrl running = runningServer(pgData);
    if (running != null) {
      return report(running, out, err);
    }
    try (EmbeddedDatabase db = EmbeddedDatabase.start(pgData)) {
      return report(db.url(), out, err);
    }
  }

  /**
   * The server already running on this data directory, from postmaster.pid (line 1: pid, line 4: port),
   * or null when there is none or the file is stale. The embedded server trusts local connections.
   */
  static DatabaseUrl runningServer(Path pgData) throws IOException {
    Path pidFile = pgData.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return null;
    }
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    if (lines.size() < 4) {
      return null;
    }
    long pid = Long.parseLong(lines.get(0).trim());
    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      return DatabaseUrl.parse("postgresql://postgres:postgres@127.0.0.1:" + lines.get(3).trim() + "/postgres");
    }
    return null;
  }

  private int report(DatabaseUrl url, PrintWriter out, PrintWriter err) {
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
         Statement s = c.createStatement()) {
      c.setReadOnly(true);
      try (ResultSet rs = s.executeQuery(QUERY)) {
        Result r = Result.of(rs);
        out.print(switch (output) {
          case table -> table(r);
          case csv -> csv(r);
          case json -> json(r);
        });
        out.flush();
        return 0;
      }
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
        err.println("the database has no reporting schema yet (migration V3__reporting runs when the server "
            + "starts): " + e.getMessage());
      } else {
        err.println("report failed on " + url.redacted() + ": " + e.getMessage());
      }
      return 1;
    }
  }

  /** A result set read into memory: column names, which are numeric, and cells as text (null = NULL). */
  public record Result(List<String> columns, List<Boolean> numeric, List<List<String>> rows) {
    public static Result of(ResultSet rs) throws SQLException {
      ResultSetMetaData md = rs.getMetaData();
      List<String> cols = new ArrayList<>();
      List<Boolean> num = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        cols.add(md.getColumnLabel(i));
        num.add(switch (md.getColumnType(i)) {
          case Types.NUMERIC, Types.DECIMAL, Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.DOUBLE,
               Types.REAL -> true;
          default -> false;
        });
      }
      List<List<String>> rows = new ArrayList<>();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= cols.size(); i++) {
          row.add(rs.getString(i));
        }
        rows.add(row);
      }
      return new Result(cols, num, rows);
    }
  }

  /** psql's aligned format: centred headers, numbers right-aligned, text left-aligned, a row count. */
  public static String table(Result r) {
    int n = r.columns().size();
    int[] w = new int[n];
    for (int i = 0; i < n; i++) {
      w[i] = r.columns().get(i).length();
      for (List<String> row : r.rows()) {
        w[i] = Math.max(w[i], cell(row.get(i)).length());
      }
    }
    StringBuilder b = new StringBuilder();
    List<String> head = new ArrayList<>();
    List<String> rule = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String c = r.columns().get(i);
      int left = (w[i] - c.length()) / 2;
      head.add(" ".repeat(left) + c + " ".repeat(w[i] - c.length() - left));
      rule.add("-".repeat(w[i]));
    }
    line(b, head, " | ");
    b.append('-').append(String.join("-+-", rule)).append("-\n");
    for (List<String> row : r.rows()) {
      List<String> cells = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String v = cell(row.get(i));
        String pad = " ".repeat(w[i] - v.length());
        cells.add(r.numeric().get(i) ? pad + v : v + pad);
      }
      line(b, cells, " | ");
    }
    b.append('(').append(r.rows().size()).append(r.rows().size() == 1 ? " row)\n" : " rows)\n");
    return b.toString();
  }

  private static void line(StringBuilder b, List<String> cells, String sep) {
    // No trailing blanks: they only get mangled by editors and Markdown.
    b.append((" " + String.join(sep, cells)).stripTrailing()).append('\n');
  }

  private static String cell(String v) {
    return v == null ? "" : v;
  }

  /** RFC 4180: header line, CRLF-free (\n) lines, quotes only where needed; NULL is an empty field. */
  public static String csv(Result r) {
    StringBuilder b = new StringBuilder();
    b.append(String.join(",", r.columns().stream().map(ReportCommand::csvField).toList())).append('\n');
    for (List<String> row : r.rows()) {
      b.append(String.join(",", row.stream().map(ReportCommand::csvField).toList())).append('\n');
    }
    return b.toString();
  }

  private static String csvField(String v) {
    if (v == null) {
      return "";
    }
    if (v.contains(",") || v.contains("\"") || v.contains("\n")) {
      return '"' + v.replace("\"", "\"\"") + '"';
    }
    return v;
  }

  /**
   * A JSON array of objects. Counts are JSON numbers written with every digit (IPv6 counts exceed 2^63;
   * readers that parse numbers as doubles, jq 1.6 for one, round them beyond 2^53).
   */
  public static String json(Result r) {
    StringBuilder b = new StringBuilder("[");
    for (int k = 0; k < r.rows().size(); k++) {
      List<String> row = r.rows().get(k);
      b.append(k == 0 ? "\n  {" : ",\n  {");
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) {
          b.append(", ");
        }
        b.append(JsonStrings.quote(r.columns().get(i))).append(": ");
        String v = row.get(i);
        if (v == null) {
          b.append("null");
        } else if (r.numeric().get(i)) {
          b.append(new BigDecimal(v).toPlainString());
        } else {
          b.append(JsonStrings.quote(v));
        }
      }
      b.append('}');
    }
    return b.append(r.rows().isEmpty() ? "]\n" : "\n]\n").toString();
  }
}
