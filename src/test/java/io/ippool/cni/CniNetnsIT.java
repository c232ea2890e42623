package io.ippool.cni;

import io.ippool.testsupport.ProcessRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end: the real bridge and macvlan plugins (containernetworking-plugins, /usr/lib/cni) call
 * target/cni/ippool-cni as their IPAM inside fresh network namespaces. Needs root and iproute2;
 * skips otherwise. Sends no traffic out of its namespaces: the bridge has no address
 * (isGateway false, ipMasq false), the macvlan master is a dummy link (or an unattached veth). Everything created is
 * removed in {@link #cleanUp()}, also after failures.
 */
class CniNetnsIT {
  private static final Path PLUGINS = Path.of("/usr/lib/cni");
  private static final Path OUR_DIR = Path.of("target/cni").toAbsolutePath();

  private final String sfx = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
  /** Undo actions, run last-in first-out. */
  private final Deque<List<String>> cleanup = new ArrayDeque<>();
  private String ipForwardBefore;
  private IpamBackend backend;

  @BeforeEach
  void preconditions() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create network namespaces");
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
        "needs iproute2's ip");
    assumeTrue(Files.isExecutable(PLUGINS.resolve("bridge")) && Files.isExecutable(PLUGINS.resolve("macvlan")),
        "needs containernetworking-plugins in /usr/lib/cni (apt-get install containernetworking-plugins)");
    assumeTrue(Files.isExecutable(OUR_DIR.resolve("ippool-cni")), "target/cni/ippool-cni not built (mvn process-classes)");
    // The bridge plugin turns on IPv4 forwarding on the host; put it back afterwards.
    ipForwardBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
    String impl = System.getProperty("ippool.cni.e2e.backend");
    // By default the real server (real PostgreSQL, IPAM API on a unix socket); the fake only on request.
    backend = impl == null || impl.isEmpty() ? new RealServerBackend()
        : (IpamBackend) Class.forName(impl).getConstructor().newInstance();
  }

  @AfterEach
  void cleanUp() throws Exception {
    while (!cleanup.isEmpty()) {
      exec(cleanup.pop(), null, Map.of());
    }
    if (ipForwardBefore != null) {
      Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), ipForwardBefore);
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void bridge_podsGetDistinctAddresses_andDelReleasesThem() throws Exception {
    String bridge = "ipcbr" + sfx; // <= 15 chars (IFNAMSIZ)
    cleanup.push(List.of("ip", "link", "del", bridge));
    String conf = "{\"cniVersion\":\"%s\",\"name\":\"ipc-e2e\",\"type\":\"bridge\",\"bridge\":\"" + bridge
        + "\",\"isGateway\":false,\"ipMasq\":false,\"ipam\":{\"type\":\"ippool-cni\"," + backend.ipamMembers() + "}}";
    String a = attach("bridge", String.format(conf, "1.0.0"), "a");
    String b = attach("bridge", String.format(conf, "0.3.1"), "b");
    assertNotEquals(a, b, "two pods, two addresses");

    detach("bridge", String.format(conf, "1.0.0"), "a", a);
    detach("bridge", String.format(conf, "0.3.1"), "b", b);
  }

  @Test
  void macvlan_onADummyMaster_withCheck() throws Exception {
    String master = "ipcd" + sfx;
    cleanup.push(List.of("ip", "link", "del", master));
    // A dummy link goes nowhere; kernels without the dummy module get one end of a veth pair
    // instead, whose other end is attached to nothing. Deleting one end deletes both.
    if (exec(List.of("ip", "link", "add", master, "type", "dummy"), null, Map.of()).rc != 0) {
      run("ip", "link", "add", master, "type", "veth", "peer", "name", "ipcp" + sfx);
    }
    run("ip", "link", "set", master, "up");
    String conf = "{\"cniVersion\":\"0.4.0\",\"name\":\"ipc-mv\",\"type\":\"macvlan\",\"master\":\"" + master
        + "\",\"mode\":\"bridge\",\"ipam\":{\"type\":\"ippool-cni\"," + backend.ipamMembers() + "}}";
    String addr = attach("macvlan", conf, "m");

    // CHECK goes through macvlan, which runs our CHECK with the same prevResult.
    String prev = lastAddOutput;
    String withPrev = conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + prev + "}";
    Result check = cni("macvlan", "CHECK", withPrev, "m");
    assertEquals(0, check.rc, check.out);

    detach("macvlan", conf, "m", addr);
  }

  /**
   * Spiderpool's reserved-IP guide through the plugin: with 10.6.168.131-132 reserved, the first pod gets .133
   * and the second pod's ADD fails with the exhaustion message; after DEL, kubectl shows the pool empty.
   */
  @Test
  void reservedIpGuide_secondPodFailsWithExhaustion() throws Exception {
    assumeTrue(backend instanceof RealServerBackend, "needs the real server");
    RealServerBackend real = (RealServerBackend) backend;
    assertEquals(201, real.api.post(RealServerBackend.RESERVED, "application/json", "{\"metadata\":{\"name\":"
        + "\"test-ipv4-reservedip\"},\"spec\":{\"ips\":[\"10.6.168.131-10.6.168.132\"]}}").code());
    assertEquals(201, real.api.post(RealServerBackend.POOLS, "application/json", "{\"metadata\":{\"name\":"
        + "\"test-ipv4-ippool\"},\"spec\":{\"subnet\":\"10.6.0.0/16\",\"ips\":[\"10.6.168.131-10.6.168.133\"]}}")
        .code());
    String bridge = "ipcrb" + sfx;
    cleanup.push(List.of("ip", "link", "del", bridge));
    String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"ipc-guide\",\"type\":\"bridge\",\"bridge\":\"" + bridge
        + "\",\"isGateway\":false,\"ipMasq\":false,\"ipam\":{\"type\":\"ippool-cni\",\"ipam_unix_socket_path\":\""
        + real.socket + "\",\"default_ipv4_ippool\":[\"test-ipv4-ippool\"]}}";
    String ns1 = ns("g1");
    cleanup.push(List.of("ip", "netns", "del", ns1));
    run("ip", "netns", "add", ns1);
    Result first = cni("bridge", "ADD", conf, "g1");
    assertEquals(0, first.rc, first.out + first.err);
    assertEquals(List.of("10.6.168.133/16"), addressesIn(ns1));

    String ns2 = ns("g2");
    cleanup.push(List.of("ip", "netns", "del", ns2));
    run("ip", "netns", "add", ns2);
    Result second = cni("bridge", "ADD", conf, "g2");
    assertNotEquals(0, second.rc);
    Map<String, Object> err = Json.object(Json.parse(second.out), "error");
    assertTrue(String.valueOf(err.get("msg")).endsWith("all IPs have been exhausted"), second.out);
    assertEquals(0, cni("bridge", "DEL", conf, "g2").rc, "DEL after a failed ADD succeeds");

    assertEquals(0, cni("bridge", "DEL", conf, "g1").rc);
    var kubectl = new io.ippool.testsupport.Kubectl(real.server.kubeconfig());
    if (io.ippool.testsupport.Kubectl.available()) {
      var get = kubectl.run("get", "sp", "test-ipv4-ippool");
      assertTrue(get.out().matches("(?s).*test-ipv4-ippool\\s+4\\s+10\\.6\\.0\\.0/16\\s+0\\s+3\\s+false.*"),
          get.toString());
    }
  }

  // ------------------------------------------------------------------ steps

  private String lastAddOutput;

  /** Creates netns ipc-SFX-NAME, runs ADD, asserts the address shows up inside. */
  private String attach(String plugin, String conf, String name) throws Exception {
    String ns = ns(name);
    cleanup.push(List.of("ip", "netns", "del", ns));
    run("ip", "netns", "add", ns);
    Result add = cni(plugin, "ADD", conf, name);
    assertEquals(0, add.rc, "ADD failed: " + add.out + add.err);
    lastAddOutput = add.out;
    Map<String, Object> res = Json.object(Json.parse(add.out), "result");
    String address = ipamAddress(res);
    assertTrue(backend.expectedAddresses().contains(address), address + " not in " + backend.expectedAddresses());
    assertEquals(List.of(address), addressesIn(ns), "addresses of eth0 in " + ns);
    if (backend.allocated(address) != null) {
      assertTrue(backend.allocated(address), "server holds " + address);
    }
    return address;
  }

  /** DEL twice; the interface is gone and the server released the address. */
  private void detach(String plugin, String conf, String name, String address) throws Exception {
    Result del = cni(plugin, "DEL", conf, name);
    assertEquals(0, del.rc, "DEL failed: " + del.out + del.err);
    assertEquals(List.of(), addressesIn(ns(name)));
    if (backend.allocated(address) != null) {
      assertFalse(backend.allocated(address), "server released " + address);
    }
    Result again = cni(plugin, "DEL", conf, name);
    assertEquals(0, again.rc, "second DEL failed: " + again.out + again.err);
  }

  private String ns(String name) {
    return "ipc-" + sfx + "-" + name;
  }

  private static String ipamAddress(Map<String, Object> res) {
    for (Object o : Json.array(res.get("ips"), "ips")) {
      Map<String, Object> ip = Json.object(o, "ip");
      if (ip.get("address") instanceof String) {
        return (String) ip.get("address");
      }
    }
    throw new AssertionError("no address in " + Json.write(res));
  }

  /** Global addresses ("ip/prefix") of eth0 in the namespace, via {@code ip -j addr}. */
  private List<String> addressesIn(String ns) throws Exception {
    Result r = exec(List.of("ip", "netns", "exec", ns, "ip", "-j", "addr", "show"), null, Map.of());
    assertEquals(0, r.rc, r.err);
    List<String> out = new ArrayList<>();
    for (Object o : Json.array(Json.parse(r.out.isBlank() ? "[]" : r.out), "links")) {
      Map<String, Object> link = Json.object(o, "link");
      if (!"eth0".equals(link.get("ifname"))) {
        continue;
      }
      for (Object ai : Json.array(link.get("addr_info"), "addr_info")) {
        Map<String, Object> a = Json.object(ai, "addr");
        if ("global".equals(a.get("scope"))) {
          out.add(a.get("local") + "/" + a.get("prefixlen"));
        }
      }
    }
    return out;
  }

  private Result cni(String plugin, String command, String conf, String name) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", "ctr-" + sfx + "-" + name);
    env.put("CNI_NETNS", "/var/run/netns/" + ns(name));
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", OUR_DIR + ":" + PLUGINS);
    env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=e2e;K8S_POD_NAME=pod-" + name + ";K8S_POD_UID=uid-" + sfx + name);
    return exec(List.of(PLUGINS.resolve(plugin).toString()), conf, env);
  }

  private static void run(String... cmd) throws Exception {
    Result r = exec(List.of(cmd), null, Map.of());
    assertEquals(0, r.rc, String.join(" ", cmd) + ": " + r.err);
  }

  record Result(int rc, String out, String err) {}

  private static Result exec(List<String> cmd, String stdin, Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    ProcessRun.Result r = ProcessRun.run(pb, stdin, Duration.ofSeconds(60));
    return new Result(r.exit(), r.out(), r.err());
  }
}
