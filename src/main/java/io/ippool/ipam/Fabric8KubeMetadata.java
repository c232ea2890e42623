package io.ippool.ipam;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.ippool.spiderpool.PodState;
import io.ippool.spiderpool.TopController;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * {@link KubeMetadata} from a real cluster through fabric8 informers: pods, namespaces and nodes are watched
 * and answered from the cache. A pod missing from the cache (created a moment ago, event not here yet) is
 * fetched directly once, on a worker thread, never on the event loop.
 */
public final class Fabric8KubeMetadata implements KubeMetadata, ClusterWatch, AutoCloseable {
  private final Vertx vertx;
  private final KubernetesClient client;
  private final SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> pods;
  private final SharedIndexInformer<Namespace> namespaces;
  private final SharedIndexInformer<Node> nodes;
  private final SharedIndexInformer<StatefulSet> statefulSets;
  // kube's default terminationGracePeriodSeconds
  private static final long DEFAULT_GRACE_SECONDS = 30;

  private Fabric8KubeMetadata(Vertx vertx, KubernetesClient client) {
    this.vertx = vertx;
    this.client = client;
    this.pods = client.pods().inAnyNamespace().runnableInformer(0);
    this.namespaces = client.namespaces().runnableInformer(0);
    this.nodes = client.nodes().runnableInformer(0);
    this.statefulSets = client.apps().statefulSets().inAnyNamespace().runnableInformer(0);
  }

  /** Starts the informers; completes when their first lists are in the caches. */
  public static Future<Fabric8KubeMetadata> start(Vertx vertx, KubernetesClient client) {
    Fabric8KubeMetadata m = new Fabric8KubeMetadata(vertx, client);
    return Future.all(
            Future.fromCompletionStage(m.pods.start()),
            Future.fromCompletionStage(m.namespaces.start()),
            Future.fromCompletionStage(m.nodes.start()),
            Future.fromCompletionStage(m.statefulSets.start()))
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
    return state(p).alive();
  }

  @Override
  public Future<Optional<PodState>> livePod(String namespace, String name) {
    return vertx.executeBlocking(() -> Optional.ofNullable(client.pods().inNamespace(namespace).withName(name).get())
        .map(Fabric8KubeMetadata::state));
  }

  @Override
  public boolean clusterBacked() {
    return true;
  }

  /** The informer's copy of a pod, null when the cache has none. */
  public PodState cachedPod(String namespace, String name) {
    return pod0(namespace, name);
  }

  @Override
  public PodState podNow(String namespace, String name) {
    return pod0(namespace, name);
  }

  private PodState pod0(String namespace, String name) {
    io.fabric8.kubernetes.api.model.Pod p = pods.getStore().getByKey(namespace + "/" + name);
    return p == null ? null : state(p);
  }

  /** Whether the informer knows the node. */
  @Override
  public boolean nodeExists(String name) {
    return nodes.getStore().getByKey(name) != null;
  }

  /** spec.replicas of a StatefulSet (kube's default 1), empty when the informer has none. */
  @Override
  public OptionalInt statefulSetReplicas(String namespace, String name) {
    StatefulSet s = statefulSets.getStore().getByKey(namespace + "/" + name);
    if (s == null) {
      return OptionalInt.empty();
    }
    Integer replicas = s.getSpec() == null ? null : s.getSpec().getReplicas();
    return OptionalInt.of(replicas == null ? 1 : replicas);
  }

  /**
   * Calls {@code onPod} with "namespace/name" of every pod that is deleted, changes UID or starts terminating or
   * finishes, {@code onNode} when a node is deleted, and {@code onStatefulSet} with "namespace/name" when a
   * StatefulSet shrinks or goes. Handlers run on fabric8's informer thread: they must only hand work over.
   */
  @Override
  public void watchChanges(Consumer<String> onPod, Consumer<String> onNode, Consumer<String> onStatefulSet) {
    pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(io.fabric8.kubernetes.api.model.Pod p) {
        if (!state(p).alive()) {
          onPod.accept(key(p));
        }
      }

      @Override
      public void onUpdate(io.fabric8.kubernetes.api.model.Pod before, io.fabric8.kubernetes.api.model.Pod after) {
        PodState b = state(before);
        PodState a = state(after);
        if (!java.util.Objects.equals(b.uid(), a.uid()) || b.alive() != a.alive()) {
          onPod.accept(key(after));
        }
      }

      @Override
      public void onDelete(io.fabric8.kubernetes.api.model.Pod p, boolean finalStateUnknown) {
        onPod.accept(key(p));
      }
    });
    nodes.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node n) {
      }

      @Override
      public void onUpdate(Node before, Node after) {
      }

      @Override
      public void onDelete(Node n, boolean finalStateUnknown) {
        onNode.accept(n.getMetadata().getName());
      }
    });
    statefulSets.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(StatefulSet s) {
      }

      @Override
      public void onUpdate(StatefulSet before, StatefulSet after) {
        Integer b = before.getSpec() == null ? null : before.getSpec().getReplicas();
        Integer a = after.getSpec() == null ? null : after.getSpec().getReplicas();
        if (a != null && (b == null || a < b)) {
          onStatefulSet.accept(key(after));
        }
      }

      @Override
      public void onDelete(StatefulSet s, boolean finalStateUnknown) {
        onStatefulSet.accept(key(s));
      }
    });
  }

  private static String key(HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  static PodState state(io.fabric8.kubernetes.api.model.Pod p) {
    var meta = p.getMetadata();
    var spec = p.getSpec();
    var status = p.getStatus();
    Long grace = meta.getDeletionGracePeriodSeconds() != null ? meta.getDeletionGracePeriodSeconds()
        : spec != null && spec.getTerminationGracePeriodSeconds() != null ? spec.getTerminationGracePeriodSeconds()
        : DEFAULT_GRACE_SECONDS;
    List<TopController.OwnerRef> owners = meta.getOwnerReferences() == null ? List.of()
        : meta.getOwnerReferences().stream().map(o -> new TopController.OwnerRef(o.getKind(), o.getName(),
            Boolean.TRUE.equals(o.getController()))).toList();
    return new PodState(meta.getUid(), spec == null ? null : spec.getNodeName(),
        meta.getDeletionTimestamp() == null ? null : Instant.parse(meta.getDeletionTimestamp()), grace,
        status == null ? null : status.getPhase(), spec == null ? null : spec.getRestartPolicy(),
        status == null ? null : status.getReason(),
        TopController.of(meta.getName(), owners, labels(p)));
  }

  private static Pod convert(io.fabric8.kubernetes.api.model.Pod p) {
    PodState s = state(p);
    return new Pod(labels(p), annotations(p), s.nodeName(), s.alive(), s);
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
    statefulSets.close();
  }
}
