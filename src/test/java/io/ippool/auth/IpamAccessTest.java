package io.ippool.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IpamAccessTest {
  private static final String AGENT = "system:serviceaccount:ippool-system:ippool-agent";
  private final IpamAccess access = new IpamAccess(List.of(AGENT));

  private static UserInfo agent(Map<String, List<String>> extra) {
    return new UserInfo(AGENT, List.of("system:serviceaccounts", "system:authenticated"), extra);
  }

  @Test
  void agent_isScopedToTheNodeItNames_andLimitedToIpam() {
    IpamAccess.Decision d = access.decide(agent(Map.of()), "node-a");
    assertTrue(d.allowed());
    assertEquals("node-a", d.node());
    assertTrue(access.ipamOnly(agent(Map.of())));
  }

  @Test
  void agent_withoutANodeName_isRefused() {
    IpamAccess.Decision d = access.decide(agent(Map.of()), null);
    assertFalse(d.allowed());
    assertTrue(d.reason().contains("X-Ippool-Node-Name"), d.reason());
  }

  @Test
  void agent_whoseTokenIsBoundToANode_cannotClaimAnother() {
    var bound = agent(Map.of(IpamAccess.NODE_NAME_EXTRA, List.of("node-a")));
    assertEquals("node-a", access.decide(bound, null).node());
    assertEquals("node-a", access.decide(bound, "node-a").node());
    IpamAccess.Decision other = access.decide(bound, "node-b");
    assertFalse(other.allowed());
    assertTrue(other.reason().contains("bound to node node-a"), other.reason());
  }

  @Test
  void nodeIdentity_isItsOwnNode() {
    var node = new UserInfo("system:node:node-a", List.of("system:nodes"), Map.of());
    assertEquals("node-a", access.decide(node, null).node());
    assertFalse(access.decide(node, "node-b").allowed());
    assertFalse(access.ipamOnly(node));
  }

  @Test
  void admin_isUnscopedUnlessItNamesANode() {
    var admin = new UserInfo("admin", List.of("system:masters"), Map.of());
    assertTrue(access.decide(admin, null).allowed());
    assertNull(access.decide(admin, null).node());
    assertEquals("node-c", access.decide(admin, "node-c").node());
  }

  @Test
  void otherUsers_areRefused() {
    var alice = new UserInfo("alice", List.of("system:authenticated"), Map.of());
    assertFalse(access.decide(alice, "node-a").allowed());
    assertFalse(access.ipamOnly(alice));
  }
}
