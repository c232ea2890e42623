package io.ippool.bench;

import io.ippool.store.allocation.SqlGcRepository;
import io.ippool.store.allocation.SqlAllocationRepository;
import static io.ippool.store.allocation.AllocFixture.await;

import io.ippool.ipam.Allocator;
import io.ippool.ipam.AllocatorConfig;
import io.ippool.ipam.ClusterWatch;
import io.ippool.ipam.GarbageCollector;
import io.ippool.ipam.GcConfig;
import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.DelArgs;
import io.ippool.ipam.KubeMetadata;
import io.ippool.metrics.AllocationMetrics;
import io.ippool.spiderpool.PodState;
import io.ippool.spiderpool.TopController;
import io.ippool.store.allocation.AllocFixture;
import io.ippool.testsupport.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Garbage collection benchmark (not a test): 10,000 leaked allocations (pods the cluster no longer has) across 20
 * pools, reclaimed by one sweep while 32 clients keep allocating and releasing in another pool; the clients' p99
 * with the sweep against the same run without it. Embedded PostgreSQL (the test one); the cluster is a stub
 * answering from memory, as the informer caches do.
 *
 * <p>Usage: {@code bench/gc.sh}.
 */
public final class GcBenchmark {
  private static final int POOLS = 20;
  private static final int LEAKS = 10_000;
  private static final int CLIENTS = 32;
  private static final Duration RUN = Duration.ofSeconds(Integer.getInteger("seconds", 12));

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.ippool"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    try (AllocFixture fx = AllocFixture.on(TestDatabase.fresh(), 16)) {
      for (int p = 0; p < POOLS; p++) {
        fx.pool("leak-" + p, "10." + (100 + p) + ".0.0/16", List.of("10." + (100 + p) + ".0.1-10." + (100 + p)
            + ".255.254"));
      }
      fx.pool("live", "10.99.0.0/16", List.of("10.99.0.1-10.99.255.254"));
      Allocator alloc = new Allocator(new SqlAllocationRepository(fx.db), KubeMetadata.standalone(), AllocatorConfig.defaults());

      System.out.printf("leaking %,d allocations across %d pools (through the allocator, with their records)%n",
          LEAKS, POOLS);
      List<Future<?>> leaks = new ArrayList<>();
      for (int i = 0; i < LEAKS; i++) {
        leaks.add(alloc.allocate(new AddArgs("c-leak-" + i, "eth0", "/x", "gone", "leak-" + i, "u-leak-" + i,
            List.of("leak-" + (i % POOLS)), List.of(), false, false)));
        if (leaks.size() == 256) {
          await(Future.all(leaks));
          leaks.clear();
        }
      }
      await(Future.all(leaks));

      ClusterWatch cluster = new ClusterWatch() {
        @Override
        public PodState podNow(String namespace, String name) {
          return "gone".equals(namespace) ? null : new PodState(name.replace("p-", "u-"), "", null, 30, "Running",
              "Always", null, new TopController(TopController.POD, name));
        }

        @Override
        public boolean nodeExists(String name) {
          return true;
        }

        @Override
        public OptionalInt statefulSetReplicas(String namespace, String name) {
          return OptionalInt.empty();
        }

        @Override
        public void watchChanges(Consumer<String> onPod, Consumer<String> onNode, Consumer<String> onSts) {
        }
      };
      GcConfig cfg = new GcConfig(true, Duration.ofHours(1), Duration.ofSeconds(5), true, Duration.ZERO, 50,
          Duration.ofSeconds(1));
      GarbageCollector gc = new GarbageCollector(fx.vertx, new SqlGcRepository(fx.db), cluster, cfg, AllocationMetrics.NONE,
          Clock.systemUTC());

      Run warm = load(alloc, Duration.ofSeconds(4), null);
      Run without = load(alloc, RUN, null);
      Run with = load(alloc, RUN, gc);
      System.out.printf("warm-up:        %s%n", warm);
      System.out.printf("without sweep:  %s%n", without);
      System.out.printf("with sweep:     %s%n", with);
      System.out.printf("sweep: reclaimed %,d addresses in %d ms; p99 ratio %.2f%n", with.reclaimed, with.sweepMs,
          with.p99() / without.p99());
      long left = fx.scalar("SELECT count(*) FROM ipam_allocations WHERE pod_namespace = 'gone'");
      System.out.printf("leaked allocations left: %d; records left: %d%n", left,
          fx.scalar("SELECT count(*) FROM resources WHERE resource = 'spiderendpoints' AND namespace = 'gone'"));
    }
  }

  record Run(List<Long> latenciesNs, double seconds, int reclaimed, long sweepMs) {
    double p(double q) {
      List<Long> s = new ArrayList<>(latenciesNs);
      Collections.sort(s);
      return s.isEmpty() ? 0 : s.get((int) Math.min(s.size() - 1, Math.floor(q * s.size()))) / 1e6;
    }

    double p99() {
      return p(0.99);
    }

    @Override
    public String toString() {
      return String.format("%,d ADD+DEL cycles in %.1f s (%.0f/s), ADD p50 %.1f ms p99 %.1f ms",
          latenciesNs.size(), seconds, latenciesNs.size() / seconds, p(0.5), p99());
    }
  }

  private static int round = 0;

  /** CLIENTS loops of ADD then DEL for live pods; with {@code gc}, one sweep starts a third of the way in. */
  private static Run load(Allocator alloc, Duration length, GarbageCollector gc) throws Exception {
    int r = round++;
    List<Long> lat = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<Void>> clients = new ArrayList<>();
    long start = System.nanoTime();
    for (int c = 0; c < CLIENTS; c++) {
      Promise<Void> done = Promise.promise();
      loop(alloc, "r" + r + "-c" + c, 0, lat, stop, done);
      clients.add(done.future());
    }
    int[] reclaimed = {0};
    long[] sweepMs = {0};
    if (gc != null) {
      Thread.sleep(length.toMillis() / 3);
      long s = System.nanoTime();
      reclaimed[0] = await(gc.sweep()).size();
      sweepMs[0] = (System.nanoTime() - s) / 1_000_000;
      Thread.sleep(Math.max(0, length.toMillis() - (System.nanoTime() - start) / 1_000_000));
    } else {
      Thread.sleep(length.toMillis());
    }
    stop.set(true);
    await(Future.all(clients));
    return new Run(lat, (System.nanoTime() - start) / 1e9, reclaimed[0], sweepMs[0]);
  }

  private static void loop(Allocator alloc, String client, int k, List<Long> lat, AtomicBoolean stop,
                           Promise<Void> done) {
    if (stop.get()) {
      done.complete();
      return;
    }
    String pod = "p-" + client + "-" + k;
    long t = System.nanoTime();
    alloc.allocate(new AddArgs("c-" + pod, "eth0", "/x", "live", pod, "u-" + client + "-" + k, List.of("live"),
        List.of(), false, false)).onComplete(ar -> {
          lat.add(System.nanoTime() - t);
          alloc.release(new DelArgs("c-" + pod, "eth0", null, "live", pod, "u-" + client + "-" + k))
              .onComplete(x -> loop(alloc, client, k + 1, lat, stop, done));
        });
  }
}
