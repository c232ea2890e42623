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
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
           pool |    subnet    | ip_version |        total         | excluded | reserved | allocated | reserved_allocated |         free         | percent_used | disabled | terminating
          ------+--------------+------------+----------------------+----------+----------+-----------+--------------------+----------------------+--------------+----------+-------------
           a    | 10.70.0.0/24 |          4 |                    4 |        0 |        0 |         1 |                  0 |                    3 |        25.00 | f        | f
           b6   | fd00:70::/64 |          6 | 18446744073709551616 |        0 |        0 |         1 |                  0 | 18446744073709551615 |         0.00 | f        | f
          (2 rows)
          """, table.out());

      Run csv = report("--database-url", url, "--output", "csv");
      assertEquals("""
          pool,subnet,ip_version,total,excluded,reserved,allocated,reserved_allocated,free,percent_used,disabled,terminating
          a,10.70.0.0/24,4,4,0,0,1,0,3,25.00,f,f
          b6,fd00:70::/64,6,18446744073709551616,0,0,1,0,18446744073709551615,0.00,f,f
          """, csv.out());

      Run json = report("--database-url", url, "--output", "json");
      assertEquals("""
          [
            {"pool": "a", "subnet": "10.70.0.0/24", "ip_version": 4, "total": 4, "excluded": 0, "reserved": 0, \
          "allocated": 1, "reserved_allocated": 0, "free": 3, "percent_used": 25.00, "disabled": false, \
          "terminating": false},
            {"pool": "b6", "subnet": "fd00:70::/64", "ip_version": 6, "total": 18446744073709551616, "excluded": 0, \
          "reserved": 0, "allocated": 1, "reserved_allocated": 0, "free": 18446744073709551615, "percent_used": 0.00, \
          "disabled": false, "terminating": false}
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
    assertEquals("pool,subnet,ip_version,total,excluded,reserved,allocated,reserved_allocated,free,percent_used,"
        + "disabled,terminating\nemb,10.80.0.0/24,4,8,0,0,0,0,8,0.00,f,f\n", cold.out());
    assertFalse(Files.exists(pgData.resolve("postmaster.pid")), "the report stops the server it started");

    Run none = report("--data-dir", dir.resolve("nothing").toString());
    assertEquals(1, none.code());
    assertTrue(none.err().contains("is not a PostgreSQL data directory"), none.err());
  }

  /**
   * Every view in every format, from one database: YAML and JSON carry the same rows and values (parsed, not
   * compared as text), CSV has a line per row, the table a row count; a view's aliases all work.
   */
  @Test
  void everyView_inEveryFormat() throws Exception {
    try (ReportingFixture r = new ReportingFixture()) {
      r.fx.pool("v", "10.71.0.0/24", List.of("10.71.0.1-10.71.0.9"));
      r.allocate("ns", "held", List.of("v"), List.of());          // gets 10.71.0.1
      r.fx.reserve("late", 4, List.of("10.71.0.1-10.71.0.2"));     // reserved after the pod got .1
      r.allocate("ns", "gone", List.of("v"), List.of());
      r.release("ns", "gone", "eth0");
      String url = "postgresql://" + r.fx.url.user() + ":" + r.fx.url.password() + "@" + r.fx.url.host() + ":"
          + r.fx.url.port() + "/" + r.fx.url.database();
      ObjectMapper json = new ObjectMapper();
      ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
      Map<String, Integer> expectedRows = Map.of("pool-utilization", 1, "reserved-ip-holders", 1, "allocations", 1,
          "allocation-events", 3);
      for (Map.Entry<String, Integer> view : expectedRows.entrySet()) {
        Run j = report(view.getKey(), "--database-url", url, "-o", "json");
        Run y = report(view.getKey(), "--database-url", url, "-o", "yaml");
        Run c = report(view.getKey(), "--database-url", url, "-o", "csv");
        Run t = report(view.getKey(), "--database-url", url);
        for (Run run : List.of(j, y, c, t)) {
          assertEquals(0, run.code(), view.getKey() + ": " + run.err());
        }
        JsonNode fromJson = json.readTree(j.out());
        assertEquals(view.getValue(), fromJson.size(), view.getKey() + " rows: " + j.out());
        assertEquals(fromJson, yaml.readTree(y.out()), view.getKey() + ": YAML and JSON differ:\n" + y.out());
        assertEquals(view.getValue() + 1, c.out().lines().count(), c.out());
        assertTrue(t.out().endsWith("(" + view.getValue() + (view.getValue() == 1 ? " row)\n" : " rows)\n")), t.out());
      }
      JsonNode holder = yaml.readTree(report("reserved", "--database-url", url, "-o", "yaml").out()).get(0);
      assertEquals("10.71.0.1", holder.get("address").asText().replaceAll("/32$", ""));
      assertEquals("late", holder.get("reservation").asText());
      assertTrue(holder.get("ip_version").isNumber(), "numbers are bare in YAML: " + holder);
      JsonNode pool = json.readTree(report("pools", "--database-url", url, "-o", "json").out()).get(0);
      assertEquals(1, pool.get("reserved_allocated").asInt(), "the reserved-but-held address: " + pool);
      assertTrue(pool.get("disabled").isBoolean(), "booleans are JSON booleans: " + pool);
      List<String> events = json.readTree(report("events", "--database-url", url, "-o", "json").out())
          .findValuesAsText("event");
      assertEquals(List.of("allocate", "allocate", "release"), events);

      Run unknown = report("pool-utilisation", "--database-url", url);
      assertEquals(2, unknown.code());
      assertTrue(unknown.err().contains("'pool-utilisation' is not a reporting view (pool-utilization, "
          + "reserved-ip-holders, allocations, allocation-events)"), unknown.err());
    }
  }
}
