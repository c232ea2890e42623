package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.metrics.PromText;
import io.ippool.store.EmbeddedDatabase;
import io.ippool.store.Migrations;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.TestServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** PostgreSQL goes away mid-run and comes back: the server says why it is not ready and recovers by itself. */
class DatabaseOutageIT {

  @Test
  void readyzReportsTheOutage_allocationsFailCleanly_andServiceRecoversWithoutRestart() throws Exception {
    Path pgData = Files.createTempDirectory("outage").resolve("pg");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    EmbeddedDatabase db = EmbeddedDatabase.start(pgData, port);
    Migrations.migrate(db.url());
    TestServer server = TestServer.start(db.url(), null);
    ApiClient api = ApiClient.admin(server);
    try {
      assertEquals(201, api.post("/apis/spiderpool.spidernet.io/v2beta1/spiderippools", "application/json",
          "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"subnet\":\"10.5.0.0/24\",\"ips\":[\"10.5.0.10-10.5.0.20\"]}}")
          .code());
      assertEquals(200, allocate(api, "c1").code());

      db.close();
      var readyz = api.get("/readyz");
      assertEquals(500, readyz.code(), readyz.toString());
      assertTrue(readyz.body().contains("[-]database failed:"), readyz.body());
      var failed = allocate(api, "c2");
      assertEquals(500, failed.code(), failed.toString());
      assertTrue(failed.body().startsWith("\""), "the CNI-facing error is a JSON string: " + failed.body());
      var list = api.get("/apis/spiderpool.spidernet.io/v2beta1/spiderippools");
      assertTrue(list.code() >= 500 && list.json().path("kind").asText().equals("Status"), list.toString());
      assertEquals(0.0, databaseUpWithin(api, 0.0), "ippool_database_up says the database is gone");

      db = EmbeddedDatabase.start(pgData, port);
      long deadline = System.currentTimeMillis() + 30_000;
      while (api.get("/readyz").code() != 200 && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      assertEquals(200, api.get("/readyz").code(), "recovered without a restart");
      assertEquals(1.0, databaseUpWithin(api, 1.0), "ippool_database_up says it is back");
      var after = allocate(api, "c3");
      assertEquals(200, after.code(), after.toString());
      assertEquals("10.5.0.11/24", after.json().path("ips").get(0).path("address").asText(),
          "nothing was allocated by the failed request");
    } finally {
      server.close();
      db.close();
    }
  }

  /** The gauge once it shows {@code want}, or its last value after the 10 s probe period (and some slack). */
  private static double databaseUpWithin(ApiClient api, double want) throws InterruptedException {
    double seen = -1;
    for (long deadline = System.currentTimeMillis() + 25_000; System.currentTimeMillis() < deadline; ) {
      seen = new PromText(api.get("/metrics").body()).sum("ippool_database_up");
      if (seen == want) {
        break;
      }
      Thread.sleep(250);
    }
    return seen;
  }

  private static ApiClient.Response allocate(ApiClient api, String container) {
    return api.post("/v1/ipam/ip", "application/json", "{\"containerID\":\"" + container + "\",\"ifName\":\"eth0\","
        + "\"netNamespace\":\"/x\",\"podNamespace\":\"default\",\"podName\":\"" + container + "\",\"podUID\":\"u-"
        + container + "\",\"defaultIPv4IPPool\":[\"p\"]}");
  }
}
