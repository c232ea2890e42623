package io.ippool.http;

import io.ippool.store.Database;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * /livez (the process serves), /readyz and /healthz (it can reach PostgreSQL, its IPAM socket is in place
 * when it has one, and it is not shutting down),
 * with kube-apiserver's plain-text answers and the reason when not ready.
 */
public final class Health {
  private final Pool pool;
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  private volatile String notReady;
  private final Map<String, Supplier<String>> checks = new ConcurrentHashMap<>();

  public Health(Pool pool) {
    this.pool = pool;
  }

  public void shuttingDown() {
    shuttingDown.set(true);
  }

  /** Not serving the API yet, and why (e.g. the database cannot be reached at start-up). */
  public void notReady(String why) {
    notReady = why;
  }

  /**
   * Another condition of readiness, e.g. that the IPAM socket is there: {@code failure} answers why it
   * does not hold, or null when it does.
   */
  public void addCheck(String name, Supplier<String> failure) {
    checks.put(name, failure);
  }

  public void ready() {
    notReady = null;
  }

  /** Why the API cannot serve now, or null. */
  public String notReadyReason() {
    return notReady;
  }

  public void livez(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end("ok");
  }

  public void readyz(RoutingContext ctx) {
    boolean verbose = ctx.request().params().contains("verbose");
    check().onComplete(ar -> {
      String failure = ar.succeeded() ? null : ar.cause().getMessage();
      String database = failure;
      StringBuilder extra = new StringBuilder();
      for (Map.Entry<String, Supplier<String>> c : new TreeMap<>(checks).entrySet()) {
        String why = c.getValue().get();
        extra.append(why == null ? "[+]" + c.getKey() + " ok\n" : "[-]" + c.getKey() + " failed: " + why + "\n");
        if (failure == null && why != null) {
          failure = c.getKey() + ": " + why;
        }
      }
      if (failure == null && shuttingDown.get()) {
        failure = "server is shutting down";
      }
      StringBuilder body = new StringBuilder();
      if (verbose) {
        body.append(database == null ? "[+]database ok\n" : "[-]database failed: " + database + "\n");
        body.append(extra);
        body.append(shuttingDown.get() ? "[-]shutdown failed: server is shutting down\n" : "[+]shutdown ok\n");
      }
      if (failure == null) {
        body.append(verbose ? "readyz check passed" : "ok");
        ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(body.toString());
      } else {
        if (!verbose) {
          body.append(database != null ? "[-]database failed: " + database + "\n" : "[-]" + failure + "\n");
        }
        body.append("readyz check failed");
        ctx.response().setStatusCode(500).putHeader("Content-Type", "text/plain; charset=utf-8")
            .end(body.toString());
      }
    });
  }

  private Future<Void> check() {
    String why = notReady;
    if (why != null) {
      return Future.failedFuture(why);
    }
    return Database.ping(pool);
  }
}
