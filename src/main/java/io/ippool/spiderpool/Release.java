package io.ippool.spiderpool;

/** One DEL of a release batch: a container's interface of a pod, or (container null) a whole pod. */
public record Release(String containerId, String ifName, String namespace, String pod, String uid) {
}
