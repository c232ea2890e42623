package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.TestServer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A real client library's informer (fabric8: list, then watch with bookmarks, WebSocket first with the HTTP
 * fallback) on one replica while another replica takes every write: the informer must see each write exactly
 * once, in resourceVersion order, and a client on a restarted replica must resume from the last revision it
 * saw without a gap. This is the contract controllers rely on; a poller or a replaying watch fails it.
 */
class InformerIT {
  private static final String SR = "/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips";
  private static final int WRITES = 1000;

  /** One observed or performed change: what happened to which object at which revision. */
  record Change(String type, String name, long rv) {
    @Override
    public String toString() {
      return type + " " + name + "@" + rv;
    }
  }

  @Test
  void informerOnReplicaA_seesEveryWriteThroughReplicaB_acrossARestartOfA() throws Exception {
    TestServer a = TestServer.start();
    TestServer b = TestServer.replicaOf(a);
    TestServer a2 = null;
    ApiClient apiB = ApiClient.admin(b);
    // An object from before the informer starts: it must arrive through the initial list, not as a write.
    assertEquals(201, apiB.post(SR, "application/json", WatchIT.reservation("pre-existing", "10.60.0.1", null))
        .code());

    List<Change> seenByInformer = new CopyOnWriteArrayList<>();
    KubernetesClient clientA = client(a);
    SharedIndexInformer<GenericKubernetesResource> informer = reservedIps(clientA).inform(recorder(seenByInformer),
        0);
    KubernetesClient clientA2 = null;
    SharedIndexInformer<GenericKubernetesResource> informer2 = null;
    Watch resumed = null;
    try {
      waitFor(informer::hasSynced, "informer initial list");
      assertEquals(List.of(new Change("ADDED", "pre-existing", rvOf(apiB, "pre-existing"))), seenByInformer);
      seenByInformer.clear();

      Writer writer = new Writer(apiB);
      writer.start();

      // Stop A mid-stream while B keeps taking writes: nothing A's informer saw may be lost or repeated.
      waitFor(() -> writer.done.get() >= 300, "300 writes");
      // Delivery across replicas takes milliseconds: let A's informer see the 300 before A goes away (a
      // write acknowledged by B an instant before the stop may otherwise still be on its way).
      waitFor(() -> seenByInformer.size() >= 300, "A's informer to see 300 writes");
      a.close();
      informer.stop();
      // What an informer would resume from: the newest revision it synced (events or bookmarks).
      long resumeFrom = Long.parseLong(informer.lastSyncResourceVersion());
      List<Change> beforeRestart = List.copyOf(seenByInformer);
      assertTrue(beforeRestart.size() >= 300, "A delivered the writes made while it was up: "
          + beforeRestart.size());
      assertTrue(beforeRestart.isEmpty() || resumeFrom >= beforeRestart.get(beforeRestart.size() - 1).rv());

      waitFor(() -> writer.done.get() >= 600, "600 writes");
      // A' replaces A: same database and PKI, a new process (and port).
      a2 = TestServer.replicaOf(b);
      clientA2 = client(a2);
      List<Change> seenAfterRestart = new CopyOnWriteArrayList<>();
      resumed = reservedIps(clientA2).watch(new ListOptionsBuilder().withResourceVersion(Long.toString(resumeFrom))
          .withAllowWatchBookmarks(true).build(), watcher(seenAfterRestart));
      // A second informer on A', seeded with the first one's cache: its store must converge on B's list.
      informer2 = reservedIps(clientA2).runnableInformer(0);
      informer2.initialState(informer.getStore().list().stream());
      informer2.run();

      writer.join(120_000);
      assertEquals(null, writer.failure.get(), "every write through B succeeded");
      List<Change> written = writer.changes;
      assertEquals(WRITES, written.size());
      waitFor(() -> beforeRestart.size() + seenAfterRestart.size() >= WRITES, "the resumed watch to deliver the rest");
      Thread.sleep(500); // anything beyond the 1,000 writes would be a duplicate: give it a chance to show

      // Exactly the writes, in order: the first informer's part then the resumed watch's part, no gap, no repeat.
      List<Change> seen = new ArrayList<>(beforeRestart);
      seen.addAll(seenAfterRestart);
      assertEquals(written.stream().map(c -> c.type() + " " + c.name()).toList(),
          seen.stream().map(c -> c.type() + " " + c.name()).toList());
      for (int i = 0; i < seen.size(); i++) {
        if (written.get(i).rv() > 0) {
          assertEquals(written.get(i).rv(), seen.get(i).rv(), "revision of write " + i);
        }
        if (i > 0) {
          assertTrue(seen.get(i - 1).rv() < seen.get(i).rv(), "increasing at " + i + ": " + seen.get(i));
        }
      }

      // Final state: B's list, the state replayed from the events, and the second informer's cache agree.
      Map<String, Long> listedByB = new TreeMap<>();
      JsonNode list = apiB.get(SR).json();
      list.path("items").forEach(o -> listedByB.put(o.path("metadata").path("name").asText(),
          o.path("metadata").path("resourceVersion").asLong()));
      Map<String, Long> replayed = new TreeMap<>();
      replayed.put("pre-existing", rvOf(apiB, "pre-existing"));
      for (Change c : seen) {
        if (c.type().equals("DELETED")) {
          replayed.remove(c.name());
        } else {
          replayed.put(c.name(), c.rv());
        }
      }
      assertEquals(listedByB, replayed);
      SharedIndexInformer<GenericKubernetesResource> inf2 = informer2;
      waitFor(() -> inf2.hasSynced() && cache(inf2).equals(listedByB), "the second informer's cache to match B");
    } finally {
      if (resumed != null) {
        resumed.close();
      }
      if (informer2 != null) {
        informer2.stop();
      }
      informer.stop();
      clientA.close();
      if (clientA2 != null) {
        clientA2.close();
      }
      if (a2 != null) {
        a2.close();
      }
      b.close();
      a.close();
    }
  }

  /**
   * fabric8 opens watches as WebSocket first (kube-apiserver serves both). The upgrade must be accepted
   * (101) with one WatchEvent per text message: answered with a streaming 200 instead, fabric8's handshake
   * waits for the end of a body that never ends, and its watch hangs.
   */
  @Test
  void webSocketWatch_isUpgraded_andCarriesOneEventPerMessage() throws Exception {
    try (TestServer s = TestServer.start(); KubernetesClient client = client(s)) {
      ApiClient api = ApiClient.admin(s);
      String rv = api.get(SR).json().path("metadata").path("resourceVersion").asText();
      java.util.concurrent.BlockingQueue<String> messages = new java.util.concurrent.LinkedBlockingQueue<>();
      var ws = client.getHttpClient().newWebSocketBuilder()
          .uri(java.net.URI.create(s.url() + SR + "?watch=true&resourceVersion=" + rv))
          .buildAsync(new io.fabric8.kubernetes.client.http.WebSocket.Listener() {
            @Override
            public void onMessage(io.fabric8.kubernetes.client.http.WebSocket w, String text) {
              messages.add(text);
              w.request();
            }
          }).get(30, TimeUnit.SECONDS);
      try {
        api.post(SR, "application/json", WatchIT.reservation("ws-1", "10.63.0.1", null));
        api.delete(SR + "/ws-1", null);
        JsonNode added = new com.fasterxml.jackson.databind.ObjectMapper().readTree(messages.poll(20, TimeUnit.SECONDS));
        JsonNode deleted = new com.fasterxml.jackson.databind.ObjectMapper().readTree(messages.poll(20,
            TimeUnit.SECONDS));
        assertEquals("ADDED", added.path("type").asText());
        assertEquals("ws-1", added.path("object").path("metadata").path("name").asText());
        assertEquals("DELETED", deleted.path("type").asText());
      } finally {
        ws.sendClose(1000, "done");
      }

      // And the client's own watch, from a revision, over whichever transport it settles on.
      List<Change> seen = new CopyOnWriteArrayList<>();
      try (Watch w = reservedIps(client).watch(new ListOptionsBuilder().withResourceVersion(rv).build(),
          watcher(seen))) {
        waitFor(() -> seen.size() >= 2, "the ADDED and DELETED of ws-1");
        assertEquals(List.of("ADDED", "DELETED"), seen.stream().map(Change::type).toList());
      }
    }
  }

  /**
   * 1,000 writes through B, sequentially, recording the revision of each: per round a create of x and y,
   * an update of each, and the deletion of x, so creates, updates and deletes interleave.
   */
  static final class Writer extends Thread {
    final ApiClient api;
    final List<Change> changes = new CopyOnWriteArrayList<>();
    final AtomicInteger done = new AtomicInteger();
    final AtomicReference<String> failure = new AtomicReference<>();

    Writer(ApiClient api) {
      this.api = api;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        for (int round = 0; changes.size() < WRITES; round++) {
          String x = "x-" + round;
          String y = "y-" + round;
          String ipx = "10.61." + (round / 250) + "." + (round % 250 + 1);
          String ipy = "10.62." + (round / 250) + "." + (round % 250 + 1);
          record(api.post(SR, "application/json", WatchIT.reservation(x, ipx, null)), "ADDED", 201);
          record(api.post(SR, "application/json", WatchIT.reservation(y, ipy, null)), "ADDED", 201);
          String label = "{\"metadata\":{\"labels\":{\"round\":\"" + round + "\"}}}";
          record(api.patch(SR + "/" + x, "application/merge-patch+json", label), "MODIFIED", 200);
          record(api.patch(SR + "/" + y, "application/merge-patch+json", label), "MODIFIED", 200);
          record(api.delete(SR + "/" + x, null), "DELETED", 200);
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t.toString());
      }
    }

    private void record(ApiClient.Response r, String type, int code) {
      if (r.code() != code) {
        throw new IllegalStateException(type + " answered " + r);
      }
      // A completed DELETE answers a Status (as kube-apiserver does for custom resources), which carries the
      // name but no resourceVersion: that write's revision is then only known to lie between its neighbours'.
      JsonNode body = r.json();
      String name = body.path("kind").asText().equals("Status") ? body.path("details").path("name").asText()
          : body.path("metadata").path("name").asText();
      changes.add(new Change(type, name, body.path("metadata").path("resourceVersion").asLong(-1)));
      done.incrementAndGet();
    }
  }

  static KubernetesClient client(TestServer server) throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(server.kubeconfig()));
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> reservedIps(KubernetesClient client) {
    return client.genericKubernetesResources("spiderpool.spidernet.io/v2beta1", "SpiderReservedIP");
  }

  static ResourceEventHandler<GenericKubernetesResource> recorder(List<Change> out) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource obj) {
        out.add(change("ADDED", obj));
      }

      @Override
      public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
        out.add(change("MODIFIED", newObj));
      }

      @Override
      public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
        // A final state unknown means the informer relisted instead of watching: record it as a gap.
        out.add(change(deletedFinalStateUnknown ? "DELETED-UNKNOWN" : "DELETED", obj));
      }
    };
  }

  static Watcher<GenericKubernetesResource> watcher(List<Change> out) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, GenericKubernetesResource resource) {
        if (action != Action.BOOKMARK) {
          out.add(change(action.name(), resource));
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        out.add(new Change("CLOSED " + cause.getMessage(), "", Long.MAX_VALUE));
      }
    };
  }

  static Change change(String type, GenericKubernetesResource obj) {
    return new Change(type, obj.getMetadata().getName(), Long.parseLong(obj.getMetadata().getResourceVersion()));
  }

  static Map<String, Long> cache(SharedIndexInformer<GenericKubernetesResource> informer) {
    Map<String, Long> out = new TreeMap<>();
    informer.getStore().list().forEach(o -> out.put(o.getMetadata().getName(),
        Long.parseLong(o.getMetadata().getResourceVersion())));
    return out;
  }

  static long rvOf(ApiClient api, String name) {
    return api.get(SR + "/" + name).json().path("metadata").path("resourceVersion").asLong();
  }

  static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
