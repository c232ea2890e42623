package io.ippool.spiderpool;

import java.util.List;
import java.util.Map;

/**
 * A pod's top controller as Spiderpool names it in SpiderEndpoint {@code status.ownerControllerType/Name}:
 * the Deployment behind a ReplicaSet, a StatefulSet, another controller by its kind, or the pod itself.
 *
 * @param type Deployment, StatefulSet, ReplicaSet, Job, DaemonSet, ... or Pod
 * @param name the controller's name (the pod's for Pod)
 */
public record TopController(String type, String name) {
  public static final String POD = "Pod";
  public static final String STATEFUL_SET = "StatefulSet";
  public static final String DEPLOYMENT = "Deployment";
  public static final String REPLICA_SET = "ReplicaSet";
  static final String TEMPLATE_HASH = "pod-template-hash";

  /** One entry of metadata.ownerReferences. */
  public record OwnerRef(String kind, String name, boolean controller) {
  }

  /**
   * The controller reference decides. A ReplicaSet that a Deployment made is named
   * {@code <deployment>-<pod-template-hash>} and its pods carry that hash label, which tells the Deployment
   * without reading ReplicaSets.
   */
  public static TopController of(String podName, List<OwnerRef> owners, Map<String, String> podLabels) {
    OwnerRef ctl = owners.stream().filter(OwnerRef::controller).findFirst().orElse(null);
    if (ctl == null) {
      return new TopController(POD, podName);
    }
    if (REPLICA_SET.equals(ctl.kind())) {
      String hash = podLabels.get(TEMPLATE_HASH);
      if (hash != null && !hash.isEmpty() && ctl.name().endsWith("-" + hash)) {
        return new TopController(DEPLOYMENT, ctl.name().substring(0, ctl.name().length() - hash.length() - 1));
      }
    }
    return new TopController(ctl.kind(), ctl.name());
  }

  public boolean isStatefulSet() {
    return STATEFUL_SET.equals(type);
  }
}
