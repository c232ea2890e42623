package io.ippool.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

/**
 * Hands out resourceVersions. Call {@link #next} as late as possible in a write transaction: the
 * counter's row lock is held until COMMIT, which makes revisions visible in commit order (no gaps for
 * watchers to trip over) at the price of serialising the final moments of concurrent writers.
 */
public final class Revisions {
  private static final String NEXT = "UPDATE revision_counter SET value = value + 1 RETURNING value";
  private static final String CURRENT = "SELECT value FROM revision_counter";

  private Revisions() {
  }

  public static Future<Long> next(SqlClient tx) {
    return tx.query(NEXT).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /** The newest committed revision (what a list "now" is read at). */
  public static Future<Long> current(SqlClient client) {
    return client.query(CURRENT).execute().map(rows -> rows.iterator().next().getLong(0));
  }
}
