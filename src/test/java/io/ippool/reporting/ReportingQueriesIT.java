package io.ippool.reporting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.cli.ReportFormat;
import io.ippool.store.reporting.ReportTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs every ```sql block of the README's SQL reporting section against the sample data set ({@link SampleData}), as the
 * read-only role, and compares the result with the ```text block printed under it: column names, row
 * count and every cell (alignment is ignored). On a mismatch it writes the README with the actual output
 * to target/README-reporting.md, so a deliberate change is one copy away.
 */
class ReportingQueriesIT {
  private static final Path README = Path.of("README.md");
  private static final Pattern EXAMPLE = Pattern.compile("```sql\\n(.*?)```\\n+```text\\n(.*?)```", Pattern.DOTALL);
  private static ReportingFixture r;

  @BeforeAll
  static void seed() {
    r = new ReportingFixture();
    SampleData.seed(r);
  }

  @AfterAll
  static void close() {
    r.close();
  }

  /** The README from {@code heading} to the next level-2 heading: the SQL reporting section. */
  static String section(String readme, String heading) {
    int start = readme.indexOf(heading + "\n");
    assertTrue(start >= 0, "README.md has no section " + heading);
    int end = readme.indexOf("\n## ", start + heading.length());
    return readme.substring(start, end < 0 ? readme.length() : end + 1);
  }

  @Test
  void everyReadmeQueryRunsAndPrintsWhatTheReadmeShows() throws Exception {
    String doc = section(Files.readString(README, StandardCharsets.UTF_8), "## SQL reporting");
    long sqlBlocks = Pattern.compile("```sql\\n").matcher(doc).results().count();
    Matcher m = EXAMPLE.matcher(doc);
    StringBuilder regenerated = new StringBuilder();
    List<String> mismatches = new ArrayList<>();
    int examples = 0;
    int last = 0;
    while (m.find()) {
      examples++;
      String sql = m.group(1);
      String actual = run(sql);
      regenerated.append(doc, last, m.start(2)).append(actual);
      last = m.end(2);
      if (!cells(m.group(2)).equals(cells(actual))) {
        mismatches.add(sql + "\nREADME shows:\n" + m.group(2) + "actual:\n" + actual);
      }
    }
    regenerated.append(doc.substring(last));
    assertEquals(sqlBlocks, examples, "every ```sql block must be followed by a ```text block with its output");
    assertTrue(examples >= 6, "at least six example queries");
    if (!mismatches.isEmpty()) {
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target/README-reporting.md"), regenerated.toString(), StandardCharsets.UTF_8);
    }
    assertEquals(List.of(), mismatches, "regenerated section: target/README-reporting.md");
  }

  /** As an analyst would: the read-only role, one statement, psql-style output. */
  private static String run(String sql) throws Exception {
    try (Statement s = r.jdbc.createStatement()) {
      s.execute("SET ROLE ippool_reporting");
      try (ResultSet rs = s.executeQuery(sql)) {
        return ReportFormat.table.render(ReportTable.of(rs));
      } finally {
        s.execute("RESET ROLE");
      }
    }
  }

  /** Header, rows and footer of a psql table as trimmed cells (so alignment does not matter). */
  private static List<List<String>> cells(String table) {
    List<List<String>> out = new ArrayList<>();
    for (String line : table.split("\n")) {
      if (line.isBlank() || line.matches("-[-+]*")) {
        continue;
      }
      out.add(Arrays.stream(line.split("\\|", -1)).map(String::trim).toList());
    }
    return out;
  }
}
