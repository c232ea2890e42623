package io.ippool.reporting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.cli.ReportCommand;
import io.ippool.store.DatabaseUrl;
import io.ippool.store.EmbeddedDatabase;
import io.ippool.store.Migrations;
import io.ippool.store.allocation.AllocFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReportCommandIT {

  private record Run(int code, String out, String err) {
  }

  private static Run report(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new ReportCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void databaseUrl_tableCsvJson() {
    try (ReportingFixture r = new ReportingFixture()) {
      r.fx.pool("a", "10.70.0.0/24", List.of("10.70.0.1-10.70.0.4"));
      r.fx.pool("b6", "fd00:70::/64", List.of("fd00:70::-fd00:70::ffff:ffff:ffff:ffff"), List.of(), s -> { });
      r.allocate("ns", "x", List.of("a"), List.of("b6"));
      String url = "postgresql://" + r.fx.url.user() + ":" + r.fx.url.password() + "@" + r.fx.url.host() + ":"
          + r.fx.url.port() + "/" + r.fx.url.database();

      Run table = report("--database-url", url);
      assertEquals(0, table.code(), table.err());
      assertEquals("""
           pool |    subnet    | ip_version |        total         | excluded | reserved | allocated |         free         | percent_used
          ------+--------------+------------+----------------------+----------+----------+-----------+----------------------+--------------
           a    | 10.70.0.0/24 |          4 |                    4 |        0 |        0 |         1 |                    3 |        25.00
           b6   | fd00:70::/64 |          6 | 18446744073709551616 |        0 |        0 |         1 | 18446744073709551615 |         0.00
          (2 rows)
          """, table.out());

      Run csv = report("--database-url", url, "--output", "csv");
      assertEquals("""
          pool,subnet,ip_version,total,excluded,reserved,allocated,free,percent_used
          a,10.70.0.0/24,4,4,0,0,1,3,25.00
          b6,fd00:70::/64,6,18446744073709551616,0,0,1,18446744073709551615,0.00
          """, csv.out());

      Run json = report("--database-url", url, "--output", "json");
      assertEquals("""
          [
            {"pool": "a", "subnet": "10.70.0.0/24", "ip_version": 4, "total": 4, "excluded": 0, "reserved": 0, \
          "allocated": 1, "free": 3, "percent_used": 25.00},
            {"pool": "b6", "subnet": "fd00:70::/64", "ip_version": 6, "total": 18446744073709551616, "excluded": 0, \
          "reserved": 0, "allocated": 1, "free": 18446744073709551615, "percent_used": 0.00}
          ]
          """, json.out());
    }
  }

  @Test
  void dataDir_usesTheRunningServer_elseStartsAndStopsIt(@TempDir Path dir) throws Exception {
    Path pgData = dir.resolve("postgres");
    try (EmbeddedDatabase db = EmbeddedDatabase.start(pgData)) {
      DatabaseUrl url = db.url();
      Migrations.migrate(url);
      try (AllocFixture fx = AllocFixture.on(url, 2)) {
        fx.pool("emb", "10.80.0.0/24", List.of("10.80.0.1-10.80.0.8"));
      }
      // The "API server" is running: the report must connect to it, not start a second postmaster.
      Run live = report("--data-dir", dir.toString());
      assertEquals(0, live.code(), live.err());
      assertTrue(live.out().contains(" emb  | 10.80.0.0/24 |"), live.out());
    }
    assertFalse(Files.exists(pgData.resolve("postmaster.pid")));
    Run cold = report("--data-dir", dir.toString(), "--output", "csv");
    assertEquals(0, cold.code(), cold.err());
    assertEquals("pool,subnet,ip_version,total,excluded,reserved,allocated,free,percent_used\n"
        + "emb,10.80.0.0/24,4,8,0,0,0,8,0.00\n", cold.out());
    assertFalse(Files.exists(pgData.resolve("postmaster.pid")), "the report stops the server it started");

    Run none = report("--data-dir", dir.resolve("nothing").toString());
    assertEquals(1, none.code());
    assertTrue(none.err().contains("is not a PostgreSQL data directory"), none.err());
  }
}
