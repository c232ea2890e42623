package io.ippool.store;

import static io.ippool.store.allocation.AllocFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ippool.server.ApiServer;
import io.ippool.server.AuthOptions;
import io.ippool.server.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The zero-config server's embedded PostgreSQL puts every commit on disk before acknowledging it. */
class EmbeddedDurabilityIT {

  private static String settings(ApiServer server) {
    Vertx vertx = Vertx.vertx();
    try {
      Pool db = Database.pool(vertx, server.databaseUrl(), 1);
      return await(db.query("SELECT current_setting('fsync') || ',' || current_setting('synchronous_commit') "
          + "|| ',' || current_setting('full_page_writes')").execute()).iterator().next().getString(0);
    } finally {
      await(vertx.close());
    }
  }

  private static ApiServer serve(Path dir, boolean unsafe) throws Exception {
    return new ApiServer(new ServerConfig(dir, null, "127.0.0.1", 0, null, null, null, null,
        Duration.ofMinutes(15), 4, AuthOptions.defaults(), Duration.ofDays(30), unsafe, io.ippool.ipam.GcConfig.defaults())).start();
  }

  @Test
  void durableByDefault_unsafeOnlyWhenAskedFor() throws Exception {
    Path dir = Files.createTempDirectory("ippool-durable");
    ApiServer server = serve(dir, false);
    try {
      assertEquals("on,on,on", settings(server));
    } finally {
      server.stop();
    }
    // The same data directory, started with the flag that trades durability for speed.
    server = serve(dir, true);
    try {
      assertEquals("off,off,off", settings(server));
    } finally {
      server.stop();
    }
  }
}
