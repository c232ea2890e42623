package io.ippool.store;

/**
 * Queries on the reporting views (db/, schema {@code reporting}), for the report command. Plain SQL text: the
 * command reads with JDBC, without a running server.
 */
public final class ReportingQueries {
  private ReportingQueries() {
  }

  public static final String POOL_UTILIZATION = """
      SELECT pool, subnet, ip_version, total, excluded, reserved, allocated, free, percent_used
        FROM reporting.pool_utilization
       ORDER BY pool""";
}
