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

  public static Pool pool(Vertx vertx, DatabaseUrl url, int maxSize) {
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(url.host())
        .setPort(url.port())
        .setDatabase(url.database())
        .setUser(url.user())
        .setPassword(url.password())
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
    String sslMode = url.params().get("sslmode");
    if (sslMode != null) {
      connect.setSslMode(SslMode.of(sslMode));
    }
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(maxSize).setName("ippool-db"))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }
}
