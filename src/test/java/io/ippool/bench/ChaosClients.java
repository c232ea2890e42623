package io.ippool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.ippool.api.Json;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The chaos benchmark's IPAM clients, as spiderpool-agent's callers behave: each pod's ADD (and, for every
 * fourth pod, its DEL right after) is retried until it succeeds, because a CNI runtime retries a failed
 * sandbox. A client first asks its home replica's socket; each further attempt goes to the other socket, so a
 * dead replica costs one refused connection and the next attempt is served by the other one.
 *
 * <p>What the clients hold is kept here: an address another pod still holds (its DEL not yet sent) coming back
 * from an ADD is a duplicate. Every failed attempt is counted by type.
 */
final class ChaosClients {
  static final String POOL = "chaos";
  private static final long GIVE_UP_NANOS = 120_000_000_000L;

  private final Vertx vertx;
  private final HttpClient http;
  private final SocketAddress[] sockets;
  private final int pods;
  private final AtomicInteger nextPod = new AtomicInteger();
  private final AtomicInteger added = new AtomicInteger();
  private final AtomicInteger released = new AtomicInteger();
  private final LongAdder failovers = new LongAdder();
  /** address -> pod holding it (DEL not yet sent). */
  private final Map<String, Integer> held = new ConcurrentHashMap<>();
  /** pod -> address it was given. */
  private final Map<Integer, String> given = new ConcurrentHashMap<>();
  private final Map<Integer, Boolean> deleted = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final Queue<String> duplicates = new ConcurrentLinkedQueue<>();
  private final Queue<String> gaveUp = new ConcurrentLinkedQueue<>();
  private final List<Mark> marks = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A moment of the run, and when each socket first answered with an address an ADD sent after it (nanoTime). */
  static final class Mark {
    Mark(int addedAt) {
      this.addedAt = addedAt;
    }

    final long at = System.nanoTime();
    final int addedAt;
    final AtomicLongArray firstOk = new AtomicLongArray(2);

    /** Milliseconds from this mark to the first successful ADD through socket s, or -1 if none yet. */
    long msTo(int s) {
      long t = firstOk.get(s);
      return t == 0 ? -1 : (t - at) / 1_000_000;
    }
  }

  ChaosClients(Vertx vertx, HttpClient http, Path[] sockets, int pods) {
    this.vertx = vertx;
    this.http = http;
    this.sockets = new SocketAddress[] {SocketAddress.domainSocketAddress(sockets[0].toString()),
        SocketAddress.domainSocketAddress(sockets[1].toString())};
    this.pods = pods;
  }

  /** Starts {@code clients} closed loops, half with each socket as home; completes when all pods are done. */
  Future<Void> run(int clients) {
    List<Future<Void>> loops = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Promise<Void> done = Promise.promise();
      nextPod(c % 2, done);
      loops.add(done.future());
    }
    return Future.all(loops).mapEmpty();
  }

  /** Releases every address still held, each through the socket that is not its client's home. */
  Future<Void> releaseAll(int clients) {
    Queue<Integer> left = new ConcurrentLinkedQueue<>();
    given.keySet().stream().filter(n -> !deleted.containsKey(n)).sorted().forEach(left::add);
    List<Future<Void>> loops = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Promise<Void> done = Promise.promise();
      releaseNext(c % 2, left, done);
      loops.add(done.future());
    }
    return Future.all(loops).mapEmpty();
  }

  Mark mark() {
    Mark m = new Mark(added.get());
    marks.add(m);
    return m;
  }

  int added() {
    return added.get();
  }

  int released() {
    return released.get();
  }

  long failovers() {
    return failovers.sum();
  }

  Map<String, Integer> held() {
    return held;
  }

  Map<Integer, String> given() {
    return given;
  }

  Queue<String> duplicates() {
    return duplicates;
  }

  Queue<String> gaveUp() {
    return gaveUp;
  }

  /** Failed attempts by type (sorted by type). */
  Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private void nextPod(int home, Promise<Void> done) {
    int n = nextPod.getAndIncrement();
    if (n >= pods) {
      done.tryComplete();
      return;
    }
    add(n, home, 0, System.nanoTime()).compose(ok -> n % 4 == 3 ? del(n, home, 0, System.nanoTime())
            : Future.succeededFuture())
        .onComplete(ar -> nextPod(home, done));
  }

  private void releaseNext(int home, Queue<Integer> left, Promise<Void> done) {
    Integer n = left.poll();
    if (n == null) {
      done.tryComplete();
      return;
    }
    del(n, 1 - home, 0, System.nanoTime()).onComplete(ar -> releaseNext(home, left, done));
  }

  private Future<Void> add(int n, int home, int attempt, long firstTry) {
    int s = (home + attempt) % 2;
    String body = "{\"containerID\":\"chaos-c-" + n + "\",\"ifName\":\"eth0\",\"netNamespace\":\"/var/run/netns/p"
        + n + "\",\"podNamespace\":\"chaos\",\"podName\":\"pod-" + n + "\",\"podUID\":\"chaos-u-" + n
        + "\",\"defaultIPv4IPPool\":[\"" + POOL + "\"]}";
    long sentAt = System.nanoTime();
    return send(s, HttpMethod.POST, body).transform(ar -> {
      String failure = failure(ar.succeeded() ? ar.result() : null, ar.cause(), true);
      if (failure == null) {
        long now = System.nanoTime();
        for (Mark m : marks) {
          // Only a request sent after the mark shows the replica serving again: answers to requests sent
          // before it may still arrive (read from the socket before the process died or the database stopped).
          if (sentAt > m.at) {
            m.firstOk.compareAndSet(s, 0, now);
          }
        }
        if (s != home) {
          failovers.increment();
        }
        String address = addressOf(ar.result().body());
        Integer before = held.putIfAbsent(address, n);
        if (before != null && before != n) {
          duplicates.add(address + " given to pod-" + n + " while pod-" + before + " holds it");
        }
        given.put(n, address);
        added.incrementAndGet();
        return Future.succeededFuture();
      }
      return retry(failure, firstTry, attempt, "ADD pod-" + n, () -> add(n, home, attempt + 1, firstTry));
    });
  }

  private Future<Void> del(int n, int home, int attempt, long firstTry) {
    if (attempt == 0) {
      // From now on the pod is being torn down: its address may be handed out again once the DEL commits,
      // possibly before this client reads the DEL's answer.
      held.remove(given.get(n), n);
    }
    int s = (home + attempt) % 2;
    String body = "{\"containerID\":\"chaos-c-" + n + "\",\"ifName\":\"eth0\",\"podNamespace\":\"chaos\","
        + "\"podName\":\"pod-" + n + "\",\"podUID\":\"chaos-u-" + n + "\"}";
    return send(s, HttpMethod.DELETE, body).transform(ar -> {
      String failure = failure(ar.succeeded() ? ar.result() : null, ar.cause(), false);
      if (failure == null) {
        deleted.put(n, true);
        released.incrementAndGet();
        return Future.succeededFuture();
      }
      return retry(failure, firstTry, attempt, "DEL pod-" + n, () -> del(n, home, attempt + 1, firstTry));
    });
  }

  private Future<Void> retry(String failure, long firstTry, int attempt, String what,
                             java.util.function.Supplier<Future<Void>> again) {
    errors.computeIfAbsent(failure, k -> new LongAdder()).increment();
    if (System.nanoTime() - firstTry > GIVE_UP_NANOS) {
      gaveUp.add(what + " after " + (attempt + 1) + " attempts, last: " + failure);
      return Future.failedFuture(failure);
    }
    // A refused connection is answered by the other replica at once; anything else (the database is away,
    // a replica died mid-request) is retried after a pause, as a runtime's CNI retry would be.
    long pause = attempt == 0 && failure.startsWith("connect") ? 1 : Math.min(50L << Math.min(attempt, 3), 400);
    Promise<Void> later = Promise.promise();
    vertx.setTimer(pause, t -> again.get().onComplete(later));
    return later.future();
  }

  /** The IPv4 address of an ADD answer, or "" when it has none. */
  private static String addressOf(String body) {
    try {
      JsonNode ip = Json.readObject(body).path("ips").path(0).path("address");
      return ip.asText().split("/")[0];
    } catch (RuntimeException e) {
      return "";
    }
  }

  private record Answer(int status, String body) {
  }

  private Future<Answer> send(int s, HttpMethod method, String body) {
    return http.request(new RequestOptions().setServer(sockets[s]).setMethod(method).setHost("localhost")
            .setURI("/v1/ipam/ip").setIdleTimeout(15_000).putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString())));
  }

  /** null when the attempt succeeded, else its type: the HTTP status and reason, or the transport failure. */
  private static String failure(Answer answer, Throwable cause, boolean add) {
    if (answer != null) {
      if (answer.status() == 200) {
        return !add || addressOf(answer.body()).contains(".") ? null : "HTTP 200 without an address";
      }
      String reason = answer.body().replaceAll("[0-9]+", "N").replaceAll("\\s+", " ");
      return "HTTP " + answer.status() + " " + (reason.length() > 90 ? reason.substring(0, 90) + "..." : reason);
    }
    String msg = String.valueOf(cause.getMessage());
    if (msg.contains("Connection refused") || msg.contains("No such file")) {
      return "connect: replica's socket not listening";
    }
    if (msg.contains("closed") || msg.contains("reset")) {
      return "connection closed mid-request";
    }
    if (cause instanceof java.util.concurrent.TimeoutException || msg.contains("timeout")) {
      return "no answer within 15 s";
    }
    return cause.getClass().getSimpleName() + ": " + msg;
  }
}
