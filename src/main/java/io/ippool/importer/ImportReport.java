package io.ippool.importer;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What an import did, per kind (and one row for pool allocations), with the reason of every failure. */
public final class ImportReport {
  /** The pseudo-kind under which SpiderIPPool status.allocatedIPs entries are counted. */
  public static final String ALLOCATIONS = "allocations";

  /** Counters of one row of the summary. */
  public static final class Counts {
    public int found;
    public int imported;
    public int updated;
    public int skipped;
    public int failed;
  }

  /** One object (or one allocation) that could not be imported, with the server's message. */
  public record Failure(String kind, String object, String message) {
  }

  private final Map<String, Counts> rows = new LinkedHashMap<>();
  private final List<Failure> failures = new ArrayList<>();

  public Counts row(String kind) {
    return rows.computeIfAbsent(kind, k -> new Counts());
  }

  public Map<String, Counts> rows() {
    return rows;
  }

  public List<Failure> failures() {
    return failures;
  }

  void fail(String kind, String object, String message) {
    row(kind).failed++;
    failures.add(new Failure(kind, object, message));
  }

  public boolean ok() {
    return failures.isEmpty();
  }

  /** The summary table, then one line per failure. */
  public void print(PrintWriter out, boolean dryRun) {
    String fmt = "%-20s %7s %9s %8s %8s %7s%n";
    out.printf(fmt, "KIND", "FOUND", dryRun ? "WOULD-IMPORT" : "IMPORTED", "UPDATED", "SKIPPED", "FAILED");
    for (var e : rows.entrySet()) {
      Counts c = e.getValue();
      out.printf(fmt, e.getKey(), c.found, c.imported, c.updated, c.skipped, c.failed);
    }
    if (!failures.isEmpty()) {
      out.println();
      out.println("Failed:");
      for (Failure f : failures) {
        out.println("  " + f.kind() + " " + f.object() + ": " + f.message());
      }
    }
    out.flush();
  }
}
