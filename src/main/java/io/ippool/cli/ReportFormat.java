package io.ippool.cli;

import io.ippool.api.JsonStrings;
import io.ippool.store.reporting.ReportTable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** How `report` prints a reporting view: psql's aligned table, CSV, JSON or YAML. */
public enum ReportFormat {
  table, csv, json, yaml;

  public String render(ReportTable r) {
    return switch (this) {
      case table -> table(r);
      case csv -> csv(r);
      case json -> json(r);
      case yaml -> yaml(r);
    };
  }

  /** psql's aligned format: centred headers, numbers right-aligned, text left-aligned, a row count. */
  static String table(ReportTable r) {
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
    line(b, head);
    b.append('-').append(String.join("-+-", rule)).append("-\n");
    for (List<String> row : r.rows()) {
      List<String> cells = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String v = cell(row.get(i));
        String pad = " ".repeat(w[i] - v.length());
        cells.add(r.numeric(i) ? pad + v : v + pad);
      }
      line(b, cells);
    }
    b.append('(').append(r.rows().size()).append(r.rows().size() == 1 ? " row)\n" : " rows)\n");
    return b.toString();
  }

  private static void line(StringBuilder b, List<String> cells) {
    // No trailing blanks: they only get mangled by editors and Markdown.
    b.append((" " + String.join(" | ", cells)).stripTrailing()).append('\n');
  }

  private static String cell(String v) {
    return v == null ? "" : v;
  }

  /** RFC 4180: header line, \n line ends, quotes only where needed; NULL is an empty field. */
  static String csv(ReportTable r) {
    StringBuilder b = new StringBuilder();
    b.append(String.join(",", r.columns().stream().map(ReportFormat::csvField).toList())).append('\n');
    for (List<String> row : r.rows()) {
      b.append(String.join(",", row.stream().map(ReportFormat::csvField).toList())).append('\n');
    }
    return b.toString();
  }

  private static String csvField(String v) {
    if (v == null) {
      return "";
    }
    if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
      return '"' + v.replace("\"", "\"\"") + '"';
    }
    return v;
  }

  /**
   * A JSON array of objects. Counts are JSON numbers written with every digit (IPv6 counts exceed 2^63;
   * readers that parse numbers as doubles, jq 1.6 for one, round them beyond 2^53).
   */
  static String json(ReportTable r) {
    StringBuilder b = new StringBuilder("[");
    for (int k = 0; k < r.rows().size(); k++) {
      List<String> row = r.rows().get(k);
      b.append(k == 0 ? "\n  {" : ",\n  {");
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) {
          b.append(", ");
        }
        b.append(JsonStrings.quote(r.columns().get(i))).append(": ").append(scalar(r, i, row.get(i)));
      }
      b.append('}');
    }
    return b.append(r.rows().isEmpty() ? "]\n" : "\n]\n").toString();
  }

  /**
   * A YAML sequence of mappings, one per row. Strings are double-quoted (JSON escapes are valid YAML), so an
   * address such as {@code ::1} or a pod named {@code yes} never turns into another type; numbers and
   * booleans are bare; NULL is {@code null}.
   */
  static String yaml(ReportTable r) {
    if (r.rows().isEmpty()) {
      return "[]\n";
    }
    StringBuilder b = new StringBuilder();
    for (List<String> row : r.rows()) {
      for (int i = 0; i < row.size(); i++) {
        b.append(i == 0 ? "- " : "  ").append(r.columns().get(i)).append(": ").append(scalar(r, i, row.get(i)))
            .append('\n');
      }
    }
    return b.toString();
  }

  private static String scalar(ReportTable r, int column, String v) {
    if (v == null) {
      return "null";
    }
    return switch (r.kinds().get(column)) {
      case NUMBER -> new BigDecimal(v).toPlainString();
      case BOOLEAN -> String.valueOf(v.equals("t") || v.equals("true"));
      case TEXT -> JsonStrings.quote(v);
    };
  }
}
