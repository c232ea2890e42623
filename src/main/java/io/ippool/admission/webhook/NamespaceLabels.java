package io.ippool.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Labels of namespaces, for webhooks' namespaceSelector. Looked up with the fabric8 client off the event loop
 * and cached briefly: kube-apiserver uses an informer, so a few seconds of staleness is what it tolerates too,
 * and a namespace lookup per write would double the latency of namespaced writes.
 */
public final class NamespaceLabels {
  private static final long TTL_NANOS = 10_000_000_000L;

  /** Fetches a namespace's labels; null when it does not exist. */
  public interface Lookup {
    Future<JsonNode> labels(String namespace);
  }

  private record Entry(JsonNode labels, long expires) {
  }

  private final Lookup lookup;
  private final LongSupplier clock;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  public NamespaceLabels(Lookup lookup, LongSupplier clock) {
    this.lookup = lookup;
    this.clock = clock;
  }

  public static NamespaceLabels of(Vertx vertx, KubernetesClient kube) {
    return new NamespaceLabels(ns -> vertx.executeBlocking(() -> {
      Namespace n = kube.namespaces().withName(ns).get();
      if (n == null) {
        return null;
      }
      ObjectNode labels = JsonNodeFactory.instance.objectNode();
      if (n.getMetadata().getLabels() != null) {
        n.getMetadata().getLabels().forEach(labels::put);
      }
      return labels;
    }, false), System::nanoTime);
  }

  /** The namespace's labels; fails with NotFound wording when it does not exist. */
  public Future<JsonNode> get(String namespace) {
    long now = clock.getAsLong();
    Entry e = cache.get(namespace);
    if (e != null && e.expires - now > 0) {
      return Future.succeededFuture(e.labels);
    }
    return lookup.labels(namespace).compose(labels -> {
      if (labels == null) {
        return Future.failedFuture(new IllegalStateException("namespaces \"" + namespace + "\" not found"));
      }
      cache.put(namespace, new Entry(labels, now + TTL_NANOS));
      return Future.succeededFuture(labels);
    });
  }
}
