package io.ippool.store.reporting;

import io.ippool.store.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Reads one reporting view, read-only, over a short JDBC connection (the CLI runs once and exits). */
public final class ReportingReader {
  /** undefined_table / invalid_schema_name: the reporting migration has not run on this database. */
  private static final String UNDEFINED_TABLE = "42P01";
  private static final String INVALID_SCHEMA = "3F000";

  private ReportingReader() {
  }

  public static ReportTable read(DatabaseUrl url, ReportingView view) throws SQLException {
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
         Statement s = c.createStatement()) {
      c.setReadOnly(true);
      try (ResultSet rs = s.executeQuery(view.query())) {
        return ReportTable.of(rs);
      }
    }
  }

  /** Whether the failure means "no reporting schema yet" rather than a broken connection or query. */
  public static boolean missingSchema(SQLException e) {
    return UNDEFINED_TABLE.equals(e.getSQLState()) || INVALID_SCHEMA.equals(e.getSQLState());
  }
}
