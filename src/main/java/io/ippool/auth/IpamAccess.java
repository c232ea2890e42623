package io.ippool.auth;

import java.util.List;
import java.util.Set;

/**
 * Who may call the IPAM API over HTTPS, and for which node. Three kinds of callers:
 * <ul>
 *   <li>node identities (group system:nodes, user system:node:NAME): for node NAME;</li>
 *   <li>node agents (the configured agent users, in a cluster the agent DaemonSet's ServiceAccount): for the
 *       node they name in {@value #NODE_HEADER}. A bound ServiceAccount token names its pod's node itself
 *       (TokenReview extra {@value #NODE_NAME_EXTRA}); then that is the node, and a different claim is refused.
 *       Agents may use nothing but the IPAM API, whatever else RBAC grants their account;</li>
 *   <li>cluster admins (system:masters): unrestricted, or scoped to a node they name.</li>
 * </ul>
 */
public final class IpamAccess {
  public static final String NODE_HEADER = "X-Ippool-Node-Name";
  public static final String NODE_NAME_EXTRA = "authentication.kubernetes.io/node-name";
  /** Where the HTTP layer keeps the node a request is scoped to, for the IPAM handlers. */
  public static final String CALLER_NODE = "ippool.ipam.callerNode";
  private static final String NODE_USER_PREFIX = "system:node:";

  private final Set<String> agentUsers;

  /** The outcome for one request: allowed for {@code node} (null: any node), or refused with {@code reason}. */
  public record Decision(boolean allowed, String node, String reason) {
    static Decision allow(String node) {
      return new Decision(true, node, null);
    }

    static Decision deny(String reason) {
      return new Decision(false, null, reason);
    }
  }

  public IpamAccess(List<String> agentUsers) {
    this.agentUsers = Set.copyOf(agentUsers);
  }

  /** Agents are limited to the IPAM API. */
  public boolean ipamOnly(UserInfo user) {
    return agentUsers.contains(user.name());
  }

  public Decision decide(UserInfo user, String claimedNode) {
    String claim = claimedNode == null || claimedNode.isBlank() ? null : claimedNode.trim();
    if (user.groups().contains("system:nodes") && user.name().startsWith(NODE_USER_PREFIX)) {
      String node = user.name().substring(NODE_USER_PREFIX.length());
      return claim == null || claim.equals(node) ? Decision.allow(node)
          : Decision.deny("node " + node + " cannot act for node " + claim);
    }
    if (ipamOnly(user)) {
      List<String> bound = user.extra().getOrDefault(NODE_NAME_EXTRA, List.of());
      if (!bound.isEmpty()) {
        String node = bound.get(0);
        return claim == null || claim.equals(node) ? Decision.allow(node)
            : Decision.deny("its token is bound to node " + node + ", not to node " + claim);
      }
      return claim != null ? Decision.allow(claim)
          : Decision.deny("a node agent must name its node in the " + NODE_HEADER + " header");
    }
    if (user.groups().contains("system:masters")) {
      return Decision.allow(claim);
    }
    return Decision.deny("the IPAM API is only for node identities (group system:nodes) and node agents");
  }
}
