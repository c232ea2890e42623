package io.ippool.store.reporting;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * A result read into memory: column names, which columns are numeric or boolean (printed bare in JSON and YAML),
 * and cells as PostgreSQL's text (null = NULL). Text keeps every digit of IPv6 counts and every timestamp as the
 * database wrote it (booleans as psql prints them, {@code t} and {@code f}).
 */
public record ReportTable(List<String> columns, List<Kind> kinds, List<List<String>> rows) {

  /** How a column's values are written where the format distinguishes them. */
  public enum Kind { TEXT, NUMBER, BOOLEAN }

  public static ReportTable of(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<String> cols = new ArrayList<>();
    List<Kind> kinds = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      cols.add(md.getColumnLabel(i));
      kinds.add(switch (md.getColumnType(i)) {
        case Types.NUMERIC, Types.DECIMAL, Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.DOUBLE,
             Types.REAL -> Kind.NUMBER;
        case Types.BOOLEAN, Types.BIT -> Kind.BOOLEAN;
        default -> Kind.TEXT;
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
    return new ReportTable(cols, kinds, rows);
  }

  public boolean numeric(int column) {
    return kinds.get(column) == Kind.NUMBER;
  }
}
