package io.ippool.ipam;

import io.ippool.spiderpool.PoolSelection;
import java.util.Map;

/** The pod of one ADD as the cluster has it: its metadata, its namespace's and its node's labels. */
record PodContext(String namespace, String name, KubeMetadata.Pod pod, KubeMetadata.Meta ns,
                  Map<String, String> nodeLabels) {

  /** What pool selection's filters read of it. */
  PoolSelection.PodFacts facts() {
    return new PoolSelection.PodFacts(namespace, pod.labels(), pod.annotations(), pod.nodeName(), ns.labels(),
        nodeLabels);
  }
}
