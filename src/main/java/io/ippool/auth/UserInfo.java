package io.ippool.auth;

import java.util.List;
import java.util.Map;

/** An authenticated identity, as Kubernetes' user.Info. */
public record UserInfo(String name, List<String> groups, Map<String, List<String>> extra) {
  public static final UserInfo ANONYMOUS = new UserInfo("system:anonymous", List.of("system:unauthenticated"),
      Map.of());

  public boolean isAnonymous() {
    return this == ANONYMOUS || "system:anonymous".equals(name);
  }
}
