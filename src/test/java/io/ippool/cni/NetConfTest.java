package io.ippool.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class NetConfTest {
  @Test
  void withoutSocketOrKubeconfig_usesSpiderpoolsAgentSocket() throws Exception {
    NetConf c = NetConf.parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"ippool-cni\"}}");
    assertEquals("/var/run/spidernet/spiderpool.sock", c.unixSocketPath);
    assertNull(c.kubeconfig, "HTTPS only when a kubeconfig is configured");
  }

  @Test
  void configuredSocket_wins() throws Exception {
    NetConf c = NetConf.parse("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"ipam\":{\"type\":\"ippool-cni\","
        + "\"ipam_unix_socket_path\":\"/run/x.sock\"}}");
    assertEquals("/run/x.sock", c.unixSocketPath);
  }
}
