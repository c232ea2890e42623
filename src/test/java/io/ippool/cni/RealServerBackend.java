package io.ippool.cni;

import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.TestDatabase;
import io.ippool.testsupport.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The real server on real PostgreSQL, serving the IPAM API on a unix socket, with a pool whose three
 * addresses the pods may get.
 */
public final class RealServerBackend implements IpamBackend {
  static final String POOLS = "/apis/spiderpool.spidernet.io/v2beta1/spiderippools";
  static final String RESERVED = "/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips";
  final TestServer server;
  final ApiClient api;
  final Path socket;

  public RealServerBackend() throws Exception {
    socket = Files.createTempDirectory("ippool-sock").resolve("ipam.sock");
    server = TestServer.start(TestDatabase.fresh(), socket);
    api = ApiClient.admin(server);
    var r = api.post(POOLS, "application/json", "{\"metadata\":{\"name\":\"e2e-pool\"},\"spec\":{\"subnet\":"
        + "\"10.250.77.0/24\",\"ips\":[\"10.250.77.11-10.250.77.13\"],\"gateway\":\"10.250.77.1\"}}");
    if (r.code() != 201) {
      throw new IllegalStateException("cannot create the e2e pool: " + r);
    }
  }

  @Override
  public String ipamMembers() {
    return "\"ipam_unix_socket_path\":\"" + socket + "\",\"default_ipv4_ippool\":[\"e2e-pool\"],\"timeout_seconds\":10";
  }

  @Override
  public Set<String> expectedAddresses() {
    return Set.of("10.250.77.11/24", "10.250.77.12/24", "10.250.77.13/24");
  }

  @Override
  public Boolean allocated(String address) {
    String ip = address.substring(0, address.indexOf('/'));
    String allocated = api.get(POOLS + "/e2e-pool").json().path("status").path("allocatedIPs").asText("{}");
    return allocated.contains("\"" + ip + "\"");
  }

  @Override
  public void close() {
    server.close();
  }
}
