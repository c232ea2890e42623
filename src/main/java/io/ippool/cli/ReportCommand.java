package io.ippool.cli;

import io.ippool.store.DatabaseUrl;
import io.ippool.store.EmbeddedDatabase;
import io.ippool.store.reporting.ReportingReader;
import io.ippool.store.reporting.ReportingView;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * `report [VIEW]`: prints one of the reporting views (pool utilisation by default) for people without psql.
 *
 * <p>Database: --database-url if given; otherwise the embedded PostgreSQL in DATA_DIR/postgres. If a
 * postmaster already runs on that directory (the API server, per postmaster.pid), the report connects to
 * it; only when none does is the embedded server started for the report and stopped afterwards. Starting
 * a second postmaster on a live data directory is never attempted.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Print a reporting view (SQL schema `reporting`) as a table, CSV, JSON or YAML.")
public final class ReportCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "VIEW", defaultValue = "pool-utilization",
      converter = ViewConverter.class,
      description = "pool-utilization (pools), reserved-ip-holders (reserved), allocations (allocs) or "
          + "allocation-events (events). Default: ${DEFAULT-VALUE}")
  ReportingView view;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table, csv, json or yaml. Default: ${DEFAULT-VALUE}")
  ReportFormat output;

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
    try {
      out.print(output.render(ReportingReader.read(url, view)));
      out.flush();
      return 0;
    } catch (SQLException e) {
      if (ReportingReader.missingSchema(e)) {
        err.println("the database has no reporting schema yet (migration V3__reporting runs when the server "
            + "starts): " + e.getMessage());
      } else {
        err.println("report failed on " + url.redacted() + ": " + e.getMessage());
      }
      return 1;
    }
  }

  /** A view by any of its names, or a usage error listing them. */
  static final class ViewConverter implements ITypeConverter<ReportingView> {
    @Override
    public ReportingView convert(String value) {
      ReportingView v = ReportingView.byName(value);
      if (v == null) {
        throw new TypeConversionException("'" + value + "' is not a reporting view ("
            + String.join(", ", ReportingView.cliNames()) + ")");
      }
      return v;
    }
  }
}
