package io.ippool.cni;

import java.util.Set;

/**
 * The IPAM server behind {@link CniNetnsIT}. The test only needs to know how to point the plugin
 * at it and which addresses it may hand out, so switching from the in-process fake to the real
 * server (a pool plus a reserved IP, say) means adding one implementation, not editing the test.
 * Pick one with {@code -Dippool.cni.e2e.backend=<class name>} (public no-arg constructor);
 * the default is {@link FakeBackend}.
 */
interface IpamBackend extends AutoCloseable {
  /** Members added to the netconf's {@code ipam} object besides {@code type}, as JSON text. */
  String ipamMembers();

  /** Every "ip/prefix" a pod on this network may receive; tests assert membership and uniqueness. */
  Set<String> expectedAddresses();

  /** Whether the server currently holds {@code address}; null when it cannot tell. */
  Boolean allocated(String address);

  @Override
  void close() throws Exception;

  /** The in-process {@link FakeIpamServer} on a unix socket, with fixed addresses. */
  final class FakeBackend implements IpamBackend {
    private static final String[] ADDRESSES = {
        "10.250.77.11/24", "10.250.77.1", "10.250.77.12/24", "10.250.77.1", "10.250.77.13/24", "10.250.77.1"};
    private final FakeIpamServer server;

    public FakeBackend() throws Exception {
      server = new FakeIpamServer(ADDRESSES);
    }

    @Override
    public String ipamMembers() {
      return "\"ipam_unix_socket_path\":\"" + server.socket + "\",\"default_ipv4_ippool\":[\"e2e-pool\"],"
          + "\"timeout_seconds\":10";
    }

    @Override
    public Set<String> expectedAddresses() {
      return Set.of(ADDRESSES[0], ADDRESSES[2], ADDRESSES[4]);
    }

    @Override
    public Boolean allocated(String address) {
      return server.held().values().stream().anyMatch(a -> a[0].equals(address));
    }

    @Override
    public void close() throws Exception {
      server.close();
    }
  }
}
