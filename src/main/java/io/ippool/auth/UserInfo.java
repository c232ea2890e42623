package io.ippool.auth;

import java.util.List;
import java.util.Map;

/**
 * An authenticated identity, as Kubernetes' user.Info. {@code uid} is "" when the authenticator does not know
 * one (x509 certificates never carry one; TokenReview and the front proxy's X-Remote-Uid may).
 */
public record UserInfo(String name, List<String> groups, Map<String, List<String>> extra, String uid) {
  public static final UserInfo ANONYMOUS = new UserInfo("system:anonymous", List.of("system:unauthenticated"),
      Map.of());
  public static final String AUTHENTICATED_GROUP = "system:authenticated";

  public UserInfo {
    groups = List.copyOf(groups);
    extra = Map.copyOf(extra);
    uid = uid == null ? "" : uid;
  }

  /** Identities without a uid, which is most of them. */
  public UserInfo(String name, List<String> groups, Map<String, List<String>> extra) {
    this(name, groups, extra, "");
  }

  public boolean isAnonymous() {
    return this == ANONYMOUS || "system:anonymous".equals(name);
  }

  /**
   * Appends system:authenticated unless present, as kube's AuthenticatedGroupAdder does for every
   * non-anonymous user: the aggregator's own requests arrive without groups and still need the
   * system:discovery binding.
   */
  public UserInfo withAuthenticatedGroup() {
    if (isAnonymous() || groups.contains(AUTHENTICATED_GROUP) || groups.contains("system:unauthenticated")) {
      return this;
    }
    List<String> g = new java.util.ArrayList<>(groups);
    g.add(AUTHENTICATED_GROUP);
    return new UserInfo(name, g, extra, uid);
  }
}
