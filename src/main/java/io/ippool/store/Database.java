package io.ippool.store;

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
