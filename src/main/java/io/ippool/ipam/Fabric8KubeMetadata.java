package io.ippool.ipam;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;

/**
 * {@link KubeMetadata} from a real cluster through fabric8 informers: pods, namespaces and nodes are watched
 * and answered from the cache. A pod missing from the cache (created a moment ago, event not here yet) is
 * fetched directly once, on a worker thread, never on the event loop.
 */
public final class Fabric8KubeMetadata implements KubeMetadata, AutoCloseable {
  private final Vertx vertx;
  private final KubernetesClient client;
  private final SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> pods;
  private final SharedIndexInformer<Namespace> namespaces;
  private final SharedIndexInformer<Node> nodes;

  private Fabric8KubeMetadata(Vertx vertx, KubernetesClient client) {
    this.vertx = vertx;
    this.client = client;
    this.pods = client.pods().inAnyNamespace().runnableInformer(0);
    this.namespaces = client.namespaces().runnableInformer(0);
    this.nodes = client.nodes().runnableInformer(0);
  }

  /** Starts the informers; completes when their first lists are in the caches. */
  public static Future<Fabric8KubeMetadata> start(Vertx vertx, KubernetesClient client) {
    Fabric8KubeMetadata m = new Fabric8KubeMetadata(vertx, client);
    return Future.all(
            Future.fromCompletionStage(m.pods.start()),
            Future.fromCompletionStage(m.namespaces.start()),
            Future.fromCompletionStage(m.nodes.start()))
        .map(m);
  }

  @Override
  public Future<Pod> pod(String namespace, String name) {
    io.fabric8.kubernetes.api.model.Pod cached = pods.getStore().getByKey(namespace + "/" + name);
    if (cached != null) {
      return Future.succeededFuture(convert(cached));
    }
    return vertx.<io.fabric8.kubernetes.api.model.Pod>executeBlocking(
            () -> client.pods().inNamespace(namespace).withName(name).get())
        .recover(e -> Future.failedFuture(new IpamException("failed to get Pod " + namespace + "/" + name + ": "
            + e.getMessage())))
        .compose(p -> p == null
            ? Future.failedFuture(new IpamException("failed to get Pod " + namespace + "/" + name + ": pods \""
                + name + "\" not found"))
            : Future.succeededFuture(convert(p)));
  }

  @Override
  public Future<Meta> namespace(String name) {
    Namespace ns = namespaces.getStore().getByKey(name);
    return Future.succeededFuture(ns == null ? Meta.EMPTY : new Meta(labels(ns), annotations(ns)));
  }

  @Override
  public Future<Map<String, String>> nodeLabels(String nodeName) {
    Node node = nodeName == null ? null : nodes.getStore().getByKey(nodeName);
    return Future.succeededFuture(node == null ? Map.of() : labels(node));
  }

  /** Spiderpool's IsPodAlive: not terminating, not finished for good, not evicted. */
  static boolean alive(io.fabric8.kubernetes.api.model.Pod p) {
    if (p.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    String restart = p.getSpec() == null ? null : p.getSpec().getRestartPolicy();
    if ("Succeeded".equals(phase) && !"Always".equals(restart)) {
      return false;
    }
    if ("Failed".equals(phase)) {
      if ("Never".equals(restart)) {
        return false;
      }
      return !"Evicted".equals(p.getStatus().getReason());
    }
    return true;
  }

  private static Pod convert(io.fabric8.kubernetes.api.model.Pod p) {
    return new Pod(labels(p), annotations(p), p.getSpec() == null ? null : p.getSpec().getNodeName(), alive(p));
  }

  private static Map<String, String> labels(HasMetadata o) {
    Map<String, String> l = o.getMetadata().getLabels();
    return l == null ? Map.of() : Map.copyOf(l);
  }

  private static Map<String, String> annotations(HasMetadata o) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? Map.of() : Map.copyOf(a);
  }

  @Override
  public void close() {
    pods.close();
    namespaces.close();
    nodes.close();
  }
}
