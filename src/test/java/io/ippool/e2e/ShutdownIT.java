package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.TestServer;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stopping server ends its watches cleanly (as a timeout would), so clients simply re-watch elsewhere. */
class ShutdownIT {

  @Test
  void stop_endsOpenWatchesCleanly() throws Exception {
    TestServer server = TestServer.start();
    ApiClient api = ApiClient.admin(server);
    String rv = api.get("/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips").json().path("metadata")
        .path("resourceVersion").asText();
    var lines = api.stream("/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips?watch=true&resourceVersion=" + rv,
        null);
    CompletableFuture<String> ended = CompletableFuture.supplyAsync(() -> {
      try {
        Iterator<String> it = lines.iterator();
        int n = 0;
        while (it.hasNext()) {
          it.next();
          n++;
        }
        return "clean end after " + n + " lines";
      } catch (RuntimeException e) {
        return "broken: " + e;
      }
    });
    Thread.sleep(300);
    long started = System.nanoTime();
    server.close();
    String outcome = ended.get(20, TimeUnit.SECONDS);
    assertEquals("clean end after 0 lines", outcome);
    assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 10,
        "watches do not hold the shutdown for the drain timeout");
  }
}
