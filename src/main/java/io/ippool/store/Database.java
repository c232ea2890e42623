package io.ippool.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Builds the Vert.x connection pool for a database URL. */
public final class Database {
  private Database() {
  }

  /** The database answers a query (readiness probes). */
  public static Future<Void> ping(Pool pool) {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  /**
   * Whether a failure came from the database or the way to it (refused, closed, timed out, or a statement
   * the server failed). Callers answer these with a generic "unavailable": the driver's text names tables
   * and constraints and is for the log.
   */
  public static boolean isDatabaseFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String type = c.getClass().getName();
      if (type.startsWith("io.vertx.pgclient.") || type.startsWith("io.vertx.sqlclient.")
          || c instanceof java.net.ConnectException) {
        return true;
      }
    }
    return false;
  }

  public static Pool pool(Vertx vertx, DatabaseUrl url, int maxSize) {
    PgConnectOptions connect = connectOptions(url)
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(maxSize).setName("ippool-db"))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }

  /**
   * Where and how to connect, TLS mode included: every connection of the server (the pool and the LISTEN
   * connection of the watch path) is built from here, so none of them can reach the database in clear text
   * when the URL asks for TLS.
   */
  public static PgConnectOptions connectOptions(DatabaseUrl url) {
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(url.host())
        .setPort(url.port())
        .setDatabase(url.database())
        .setUser(url.user())
        .setPassword(url.password());
    String sslMode = url.params().get("sslmode");
    if (sslMode != null) {
      connect.setSslMode(SslMode.of(sslMode));
    }
    return connect;
  }
}
