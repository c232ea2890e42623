package io.ippool.spiderpool;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * The texts spiderpool-agent answers a failed IPAM request with, which the CNI plugin shows to kubelet and which
 * users search for, so they are kept word for word, Go's list formatting included.
 */
public final class IpamMessages {
  private IpamMessages() {
  }

  /** Prefix of every ADD failure. */
  public static final String STANDARD = "failed to allocate IP addresses in standard mode: ";
  /** A pool with no free address (or at its record limit). */
  public static final String USED_OUT = "all IP addresses used out";
  /** Appended when every candidate pool of a family was used out. */
  public static final String EXHAUSTED_SUFFIX = ", all IPs have been exhausted";
  /** No rule named a pool and the cluster has no default pool. */
  public static final String NO_RULES = "no IPPool available, no pool selection rules of any type are specified";

  /** Go's fmt %v of a []string: [a b c]. */
  public static String goList(List<String> items) {
    return "[" + String.join(" ", items) + "]";
  }

  /** k8s utilerrors.NewAggregate(...).Error(), deduplicated: one message bare, several as [a, b]. */
  public static String aggregate(List<String> errors) {
    List<String> uniq = List.copyOf(new LinkedHashSet<>(errors));
    return uniq.size() == 1 ? uniq.get(0) : "[" + String.join(", ", uniq) + "]";
  }
}
