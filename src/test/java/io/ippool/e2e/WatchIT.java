package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ippool.store.Compactor;
import io.ippool.store.Database;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.TestServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Watch semantics against two replicas sharing one database. */
class WatchIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SR = "/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips";
  private static TestServer a;
  private static TestServer b;
  private static ApiClient apiA;
  private static ApiClient apiB;

  @BeforeAll
  static void start() {
    a = TestServer.start();
    b = TestServer.replicaOf(a);
    apiA = ApiClient.admin(a);
    apiB = ApiClient.admin(b);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  static String reservation(String name, String ip, String labels) {
    return "{\"metadata\":{\"name\":\"" + name + "\"" + (labels == null ? "" : ",\"labels\":" + labels)
        + "},\"spec\":{\"ips\":[\"" + ip + "\"]}}";
  }

  /** Collects events of a watch stream on a background thread. */
  static final class Events implements AutoCloseable {
    final BlockingQueue<JsonNode> queue = new ArrayBlockingQueue<>(10_000);
    final Thread reader;
    final Stream<String> lines;

    Events(ApiClient api, String path, String accept) {
      lines = api.stream(path, accept);
      reader = new Thread(() -> {
        try {
          Iterator<String> it = lines.iterator();
          while (it.hasNext()) {
            String l = it.next();
            if (!l.isBlank()) {
              queue.add(JSON.readTree(l));
            }
          }
        } catch (Exception ignored) {
          // stream closed
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    JsonNode next() throws InterruptedException {
      JsonNode e = queue.poll(20, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("no watch event within 20 s");
      }
      return e;
    }

    @Override
    public void close() {
      lines.close();
    }
  }

  @Test
  void watchFromNow_crossReplica_deliversAddedModifiedDeletedInOrder() throws Exception {
    String rv = apiA.get(SR).json().path("metadata").path("resourceVersion").asText();
    try (Events ev = new Events(apiA, SR + "?watch=true&resourceVersion=" + rv, null)) {
      assertEquals(201, apiB.post(SR, "application/json", reservation("x1", "10.1.1.1", null)).code());
      apiB.patch(SR + "/x1", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
      apiB.delete(SR + "/x1", null);
      JsonNode added = ev.next();
      JsonNode modified = ev.next();
      JsonNode deleted = ev.next();
      assertEquals("ADDED", added.path("type").asText());
      assertEquals("MODIFIED", modified.path("type").asText());
      assertEquals("DELETED", deleted.path("type").asText());
      long r1 = added.path("object").path("metadata").path("resourceVersion").asLong();
      long r2 = modified.path("object").path("metadata").path("resourceVersion").asLong();
      long r3 = deleted.path("object").path("metadata").path("resourceVersion").asLong();
      assertTrue(Long.parseLong(rv) < r1 && r1 < r2 && r2 < r3, r1 + " " + r2 + " " + r3);
      assertEquals("b", deleted.path("object").path("metadata").path("labels").path("a").asText(),
          "DELETED carries the last state");
    }
  }

  @Test
  void watchWithoutResourceVersion_startsWithSyntheticAdded_andWatchListBookmark() throws Exception {
    apiA.post(SR, "application/json", reservation("init-1", "10.1.2.1", "{\"w\":\"init\"}"));
    try (Events ev = new Events(apiA, SR + "?watch=true&labelSelector=w%3Dinit&allowWatchBookmarks=true"
        + "&sendInitialEvents=true&resourceVersionMatch=NotOlderThan", null)) {
      JsonNode first = ev.next();
      assertEquals("ADDED", first.path("type").asText());
      assertEquals("init-1", first.path("object").path("metadata").path("name").asText());
      JsonNode bookmark = ev.next();
      assertEquals("BOOKMARK", bookmark.path("type").asText());
      assertEquals("true", bookmark.path("object").path("metadata").path("annotations")
          .path("k8s.io/initial-events-end").asText());
      // Selector transitions: a label change out of the selector is a DELETED for this watcher.
      apiB.patch(SR + "/init-1", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"w\":\"other\"}}}");
      assertEquals("DELETED", ev.next().path("type").asText());
      apiB.patch(SR + "/init-1", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"w\":\"init\"}}}");
      assertEquals("ADDED", ev.next().path("type").asText());
    }
  }

  @Test
  void tableWatch_sendsColumnDefinitionsOnlyFirst() throws Exception {
    String rv = apiA.get(SR).json().path("metadata").path("resourceVersion").asText();
    try (Events ev = new Events(apiA, SR + "?watch=true&resourceVersion=" + rv,
        "application/json;as=Table;v=v1;g=meta.k8s.io")) {
      apiB.post(SR, "application/json", reservation("tbl-1", "10.1.3.1", null));
      apiB.post(SR, "application/json", reservation("tbl-2", "10.1.3.2", null));
      JsonNode e1 = ev.next();
      JsonNode e2 = ev.next();
      assertEquals("Table", e1.path("object").path("kind").asText());
      assertTrue(e1.path("object").path("columnDefinitions").size() > 0);
      assertTrue(e2.path("object").path("columnDefinitions").isNull()
          || e2.path("object").path("columnDefinitions").size() == 0);
      assertEquals("tbl-2", e2.path("object").path("rows").get(0).path("cells").get(0).asText());
    }
  }

  @Test
  void watchFromCompactedRevision_getsExpiredError() throws Exception {
    String old = apiA.get(SR).json().path("metadata").path("resourceVersion").asText();
    apiA.post(SR, "application/json", reservation("cmp-1", "10.1.4.1", null));
    apiA.patch(SR + "/cmp-1", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"v\":\"2\"}}}");
    Thread.sleep(1100);
    Vertx vertx = Vertx.vertx();
    try {
      var pool = Database.pool(vertx, a.database(), 2);
      int removed = new Compactor(pool, Duration.ZERO).compactOnce().toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      assertTrue(removed > 0, "compaction removed superseded events");
    } finally {
      vertx.close();
    }
    // Far older than what the in-memory ring of a fresh replica holds: ask the replica that never saw them.
    TestServer c = TestServer.replicaOf(a);
    try {
      ApiClient apiC = ApiClient.admin(c);
      try (Events ev = new Events(apiC, SR + "?watch=true&resourceVersion=" + old, null)) {
        JsonNode err = ev.next();
        assertEquals("ERROR", err.path("type").asText(), err.toString());
        assertEquals(410, err.path("object").path("code").asInt());
        assertEquals("Expired", err.path("object").path("reason").asText());
      }
      // The current state is still complete: a list shows the object at its latest version.
      JsonNode list = apiC.get(SR + "?fieldSelector=metadata.name%3Dcmp-1").json();
      assertEquals("2", list.path("items").get(0).path("metadata").path("labels").path("v").asText());
    } finally {
      c.close();
    }
  }

  @Test
  void metadataOnlyWatch_forTheGarbageCollector() throws Exception {
    String rv = apiA.get(SR).json().path("metadata").path("resourceVersion").asText();
    try (Events ev = new Events(apiA, SR + "?watch=true&resourceVersion=" + rv,
        "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json")) {
      apiB.post(SR, "application/json", reservation("meta-1", "10.1.5.1", null));
      JsonNode e = ev.next();
      assertEquals("PartialObjectMetadata", e.path("object").path("kind").asText());
      assertTrue(e.path("object").path("spec").isMissingNode());
    }
  }

  @Test
  void manyWatchers_doNotMultiplyLogReads() throws Exception {
    long before = a.server().eventHub().queries();
    List<Events> watchers = new ArrayList<>();
    String rv = apiA.get(SR).json().path("metadata").path("resourceVersion").asText();
    try {
      for (int i = 0; i < 50; i++) {
        watchers.add(new Events(apiA, SR + "?watch=true&resourceVersion=" + rv, null));
      }
      Thread.sleep(500);
      apiB.post(SR, "application/json", reservation("fan-1", "10.1.6.1", null));
      for (Events w : watchers) {
        assertEquals("fan-1", w.next().path("object").path("metadata").path("name").asText());
      }
      long reads = a.server().eventHub().queries() - before;
      // One read per nudge (plus the periodic safety poll), not one per watcher.
      assertTrue(reads < 20, "log reads for 50 watchers: " + reads);
    } finally {
      watchers.forEach(Events::close);
    }
  }
}
