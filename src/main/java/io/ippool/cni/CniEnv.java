package io.ippool.cni;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The CNI_* environment and the Kubernetes keys the runtime passes in CNI_ARGS. */
final class CniEnv {
  final String command;
  final String containerId;
  final String netns;
  final String ifName;
  final String podName;
  final String podNamespace;
  final String podUid;
  /** Read for completeness; like Spiderpool we key allocations by CNI_CONTAINERID. */
  final String infraContainerId;

  private CniEnv(Map<String, String> env, Map<String, String> args) {
    this.command = env.getOrDefault("CNI_COMMAND", "");
    this.containerId = env.getOrDefault("CNI_CONTAINERID", "");
    this.netns = env.getOrDefault("CNI_NETNS", "");
    this.ifName = env.getOrDefault("CNI_IFNAME", "");
    this.podName = args.getOrDefault("K8S_POD_NAME", "");
    this.podNamespace = args.getOrDefault("K8S_POD_NAMESPACE", "");
    this.podUid = args.getOrDefault("K8S_POD_UID", "");
    this.infraContainerId = args.getOrDefault("K8S_POD_INFRA_CONTAINER_ID", "");
  }

  /**
   * Reads the environment. Unknown CNI_ARGS keys are ignored whether or not IgnoreUnknown is set:
   * runtimes add keys over time and refusing them would fail pod creation for no gain.
   */
  static CniEnv from(Map<String, String> env) throws CniException {
    Map<String, String> args = new HashMap<>();
    String raw = env.getOrDefault("CNI_ARGS", "");
    if (!raw.isEmpty()) {
      for (String pair : raw.split(";")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new CniException(CniException.INVALID_ENV, "CNI_ARGS: invalid pair \"" + pair + "\"");
        }
        args.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return new CniEnv(env, args);
  }

  /**
   * Checks the variables a command needs (CNI spec "Parameters"): DEL may run without a netns
   * (the namespace can already be gone). CNI_PATH is never used by an IPAM plugin, so its absence
   * is tolerated.
   */
  void require() throws CniException {
    List<String> missing = new ArrayList<>();
    if (containerId.isEmpty()) {
      missing.add("CNI_CONTAINERID");
    }
    if (netns.isEmpty() && !command.equals("DEL")) {
      missing.add("CNI_NETNS");
    }
    if (ifName.isEmpty()) {
      missing.add("CNI_IFNAME");
    }
    if (!missing.isEmpty()) {
      throw new CniException(CniException.INVALID_ENV, "required env variables " + missing + " missing");
    }
  }
}
