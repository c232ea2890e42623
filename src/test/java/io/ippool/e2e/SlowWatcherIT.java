package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ippool.http.resource.WatchHandler;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A watcher whose client stops reading is ended once it is {@link WatchHandler#DEFAULT_MAX_QUEUED_BYTES} behind,
 * with a 410 ERROR event (its client re-lists), instead of the server buffering for it without limit; a
 * watcher that keeps reading is not disturbed.
 */
class SlowWatcherIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SR = "/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips";
  private static TestServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    api = ApiClient.admin(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aWatcherThatStopsReadingIsEndedWithExpired_othersKeepTheirEvents() throws Exception {
    assertEquals(201, api.post(SR, "application/json", WatchIT.reservation("big", "10.9.0.1", null)).code());
    String rv = api.get(SR).json().path("metadata").path("resourceVersion").asText();
    String path = SR + "?watch=true&resourceVersion=" + rv;
    int before = server.server().eventHub().subscriberCount();
    InputStream stalled = api.streamRaw(path); // never read until the end of the test
    try (WatchIT.Events reading = new WatchIT.Events(api, path, null)) {
      awaitSubscribers(before + 2);
      // ~200 KiB per event: the stalled watcher passes its limit after a few hundred writes.
      String filler = "x".repeat(200 * 1024);
      long limit = WatchHandler.DEFAULT_MAX_QUEUED_BYTES;
      int writes = 0;
      Set<String> seenRvs = new HashSet<>();
      while (server.server().eventHub().subscriberCount() > before + 1 && writes < 3 * limit / (200 * 1024)) {
        String patch = "{\"metadata\":{\"annotations\":{\"filler\":\"" + filler + "\",\"n\":\"" + writes + "\"}}}";
        ApiClient.Response r = api.patch(SR + "/big", "application/merge-patch+json", patch);
        assertEquals(200, r.code(), r.body());
        writes++;
        // The reading watcher keeps up with every event, in order.
        JsonNode e = reading.next();
        assertEquals(String.valueOf(writes - 1), e.path("object").path("metadata").path("annotations").path("n")
            .asText());
        assertTrue(seenRvs.add(e.path("object").path("metadata").path("resourceVersion").asText()));
      }
      assertEquals(before + 1, server.server().eventHub().subscriberCount(),
          "the stalled watcher was ended after " + writes + " writes");
      assertTrue((long) writes * 200 * 1024 > limit, "not before its limit: " + writes + " writes");
      assertTrue((long) writes * 200 * 1024 < limit + 24L * 1024 * 1024,
          "no more than the limit plus what the sockets hold: " + writes + " writes");

      // What it was sent, read now: events in order, then the ERROR that tells its client to list again.
      String last = null;
      long lastRv = 0;
      try (BufferedReader in = new BufferedReader(new InputStreamReader(stalled, StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (last != null) {
            long r = JSON.readTree(last).path("object").path("metadata").path("resourceVersion").asLong();
            assertTrue(r > lastRv);
            lastRv = r;
          }
          last = line;
        }
        JsonNode error = JSON.readTree(last);
        assertEquals("ERROR", error.path("type").asText());
        assertEquals(410, error.path("object").path("code").asInt());
        assertEquals("Expired", error.path("object").path("reason").asText());
      } catch (IOException closed) {
        // Also acceptable: the client took longer than the grace period and its connection was closed.
      }
      // The reader that kept up still gets new events.
      api.patch(SR + "/big", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"after\":\"yes\"}}}");
      JsonNode e = reading.next();
      assertEquals("yes", e.path("object").path("metadata").path("labels").path("after").asText());
    }
  }

  private static void awaitSubscribers(int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (server.server().eventHub().subscriberCount() < n && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(n, server.server().eventHub().subscriberCount());
  }
}
