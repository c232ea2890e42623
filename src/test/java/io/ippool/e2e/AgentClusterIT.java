package io.ippool.e2e;

import io.ippool.testsupport.ProcessRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ippool.agent.Agent;
import io.ippool.agent.Upstream;
import io.ippool.server.AuthOptions;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.MockCluster;
import io.ippool.testsupport.TestDatabase;
import io.ippool.testsupport.TestServer;
import io.ippool.tls.CertificateAuthority;
import io.ippool.store.DatabaseUrl;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A simulated cluster: fabric8's mock kube-apiserver (CRUD: nodes and pods; TokenReview answered per token), the
 * server in delegated mode, three node agents as three nodes (each its own socket, node name and ServiceAccount
 * token), and pods as network namespaces wired by the real bridge plugin with Spiderpool's own CNI binary
 * (unpacked from the shared fixtures) or ippool-cni as IPAM. Needs root, iproute2 and containernetworking-plugins;
 * skips otherwise. No traffic leaves the namespaces it creates (the bridge has no address).
 */
class AgentClusterIT {
  private static final Path PLUGINS = Path.of("/usr/lib/cni");
  private static final Path OUR_CNI = Path.of("target/cni").toAbsolutePath();
  private static final String FIXTURE = "spiderpool-cni-v1.0.6.xz";
  private static final String AGENT_USER = "system:serviceaccount:ippool-system:ippool-agent";
  private static final String POOLS = "/apis/spiderpool.spidernet.io/v2beta1/spiderippools";
  private static final String RESERVED = "/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String sfx = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
  private static KubernetesMockServer kube;
  private static KubernetesClient client;
  private static Path dir;
  private static Path binDir;
  private static Path spiderpoolPlugin;
  private static DatabaseUrl database;
  private static AuthOptions auth;
  private static int port;
  private static TestServer server;
  private static ApiClient admin;
  private static final Agent[] agents = new Agent[3];
  private final Deque<List<String>> cleanup = new ArrayDeque<>();
  private static String ipForwardBefore;

  @BeforeAll
  static void cluster() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create network namespaces");
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
        "needs iproute2's ip");
    assumeTrue(Files.isExecutable(PLUGINS.resolve("bridge")),
        "needs containernetworking-plugins in /usr/lib/cni (apt-get install containernetworking-plugins)");
    assumeTrue(Files.isExecutable(OUR_CNI.resolve("ippool-cni")), "target/cni/ippool-cni not built");
    ipForwardBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
    dir = Files.createTempDirectory("agent-cluster");
    binDir = Files.createDirectories(dir.resolve("bin"));
    spiderpoolPlugin = unpackSpiderpool(binDir);

    var responses = new HashMap<io.fabric8.mockwebserver.ServerRequest,
        java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>();
    kube = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new KubernetesMixedDispatcher(responses), false);
    kube.init();
    kube.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, req -> {
      TokenReview tr = Serialization.unmarshal(req.getUtf8Body(), TokenReview.class);
      tr.setStatus(review(tr.getSpec().getToken(), tr.getSpec().getAudiences()));
      return tr;
    }).always();
    kube.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReply(201, req -> {
      SubjectAccessReview sar = Serialization.unmarshal(req.getUtf8Body(), SubjectAccessReview.class);
      SubjectAccessReviewStatus st = new SubjectAccessReviewStatus();
      // RBAC of this cluster: the agent's account may do anything it asks; the server must still refuse it.
      st.setAllowed(true);
      sar.setStatus(st);
      return sar;
    }).always();
    client = kube.createClient();
    MockCluster.publishFrontProxy(client, CertificateAuthority.create("front-proxy-ca", Duration.ofDays(1)));
    for (int n = 1; n <= 3; n++) {
      client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node(n)).endMetadata().build()).create();
    }
    auth = MockCluster.delegatedTo(client, dir);
    auth.authenticationAudiences = List.of("ippool-apiserver");
    database = TestDatabase.fresh();
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    server = TestServer.start(database, null, Files.createDirectories(dir.resolve("server")), auth, port);
    admin = ApiClient.admin(server);
    for (int n = 1; n <= 3; n++) {
      agents[n - 1] = startAgent(n);
    }
  }

  /**
   * Agent tokens are "token-NODE". Node 3's token is bound to its pod's node, as Kubernetes 1.30+ binds projected
   * tokens; the others carry only the pod, so their node comes from the agent's header.
   */
  private static io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus review(String token,
                                                                                          List<String> audiences) {
    if (token == null || !token.startsWith("token-node-") || audiences == null
        || !audiences.contains("ippool-apiserver")) {
      return new TokenReviewStatusBuilder().withAuthenticated(false).withError("invalid token").build();
    }
    String node = token.substring("token-".length());
    Map<String, List<String>> extra = new HashMap<>();
    extra.put("authentication.kubernetes.io/pod-name", List.of("ippool-agent-" + node));
    if (node.endsWith("-3")) {
      extra.put("authentication.kubernetes.io/node-name", List.of(node));
    }
    return new TokenReviewStatusBuilder().withAuthenticated(true).withAudiences(audiences).withNewUser()
        .withUsername(AGENT_USER).withUid("uid-" + node)
        .withGroups("system:serviceaccounts", "system:serviceaccounts:ippool-system")
        .withExtra(extra).endUser().build();
  }

  private static String node(int n) {
    return "node-" + n;
  }

  private static Path socket(int n) {
    return dir.resolve("node" + n).resolve("spiderpool.sock");
  }

  private static Agent startAgent(int n) throws Exception {
    Path token = dir.resolve("node" + n + ".token");
    Files.writeString(token, "token-" + node(n));
    String ca = Files.readString(server.dataDir().resolve("pki").resolve("ca.crt"));
    Upstream up = Upstream.withTokenFile(URI.create("https://127.0.0.1:" + port), ca, token);
    return new Agent(new Agent.AgentConfig(up, node(n), socket(n), Duration.ofSeconds(20), 2, "127.0.0.1", -1))
        .start();
  }

  /** Spiderpool's plugin from the shared fixtures (CI: ../shared/fixtures beside the clone), or null. */
  private static Path unpackSpiderpool(Path into) throws Exception {
    List<Path> candidates = new ArrayList<>();
    String prop = System.getProperty("ippool.fixtures");
    if (prop != null) {
      candidates.add(Path.of(prop, FIXTURE));
    }
    candidates.add(Path.of("../shared/fixtures", FIXTURE).toAbsolutePath());
    candidates.add(Path.of("/work/shared/fixtures", FIXTURE));
    for (Path xz : candidates) {
      if (Files.isReadable(xz)) {
        Path out = into.resolve("spiderpool");
        Process p = new ProcessBuilder("xz", "-dc", xz.toString()).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "xz -dc " + xz);
        out.toFile().setExecutable(true);
        return out;
      }
    }
    return null;
  }

  @AfterEach
  void cleanUp() throws Exception {
    while (!cleanup.isEmpty()) {
      exec(cleanup.pop(), null, Map.of());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (Agent a : agents) {
      if (a != null) {
        a.close();
      }
    }
    if (server != null) {
      server.close();
    }
    if (client != null) {
      client.close();
    }
    if (kube != null) {
      kube.destroy();
    }
    if (ipForwardBefore != null) {
      Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), ipForwardBefore);
    }
  }

  // ------------------------------------------------------------------ scenarios

  /**
   * Spiderpool's reserved-IP guide across nodes: with 10.6.168.131-132 reserved, Spiderpool's own plugin gets
   * .133 on node 1 through its agent; a second pod on node 2 fails with the exhaustion message; after DEL
   * (twice) ippool-cni on node 3 gets .133 again; at the end the pool is empty.
   */
  @Test
  void reservedIpGuide_acrossThreeAgents_withBothPlugins() throws Exception {
    assertEquals(201, admin.post(RESERVED, "application/json", "{\"metadata\":{\"name\":\"test-ipv4-reservedip\"},"
        + "\"spec\":{\"ips\":[\"10.6.168.131-10.6.168.132\"]}}").code());
    assertEquals(201, admin.post(POOLS, "application/json", "{\"metadata\":{\"name\":\"test-ipv4-ippool\"},"
        + "\"spec\":{\"subnet\":\"10.6.0.0/16\",\"ips\":[\"10.6.168.131-10.6.168.133\"]}}").code());
    String bridge = bridge("g");
    String ipam = "\"default_ipv4_ippool\":[\"test-ipv4-ippool\"]";
    Pod first = pod("g1", 1);
    String plugin1 = spiderpoolPlugin != null ? "spiderpool" : "ippool-cni";
    if (spiderpoolPlugin == null) {
      System.err.println("AgentClusterIT: " + FIXTURE + " not found (../shared/fixtures): Spiderpool's plugin "
          + "skipped, ippool-cni used in its place");
    }
    Result a1 = cni("ADD", conf(bridge, plugin1, 1, ipam), first);
    assertEquals(0, a1.rc, a1.out + a1.err);
    assertEquals(List.of("10.6.168.133/16"), addressesIn(first));

    Pod second = pod("g2", 2);
    Result a2 = cni("ADD", conf(bridge, plugin1, 2, ipam), second);
    assertNotEquals(0, a2.rc);
    assertTrue(a2.out.contains("all IPs have been exhausted"), a2.out + a2.err);
    assertEquals(0, cni("DEL", conf(bridge, plugin1, 2, ipam), second).rc, "DEL after a failed ADD");

    Result d1 = cni("DEL", conf(bridge, plugin1, 1, ipam), first);
    assertEquals(0, d1.rc, d1.out + d1.err);
    assertEquals(0, cni("DEL", conf(bridge, plugin1, 1, ipam), first).rc, "DEL again");

    Pod third = pod("g3", 3);
    Result a3 = cni("ADD", conf(bridge, "ippool-cni", 3, ipam), third);
    assertEquals(0, a3.rc, a3.out + a3.err);
    assertEquals(List.of("10.6.168.133/16"), addressesIn(third));
    assertEquals(0, cni("DEL", conf(bridge, "ippool-cni", 3, ipam), third).rc);
    JsonNode status = admin.get(POOLS + "/test-ipv4-ippool").json().path("status");
    assertEquals(0, status.path("allocatedIPCount").asInt(), status.toString());
  }

  /** An agent cannot release (or allocate for) a pod of another node; the pod's own agent can. */
  @Test
  void agentOfAnotherNode_cannotReleaseThePod() throws Exception {
    pool("scope-pool", "10.251.1.0/24", "10.251.1.10-10.251.1.20");
    String bridge = bridge("s");
    String ipam = "\"default_ipv4_ippool\":[\"scope-pool\"]";
    Pod p = pod("s1", 1);
    Result add = cni("ADD", conf(bridge, "ippool-cni", 1, ipam), p);
    assertEquals(0, add.rc, add.out + add.err);
    String address = addressesIn(p).get(0);

    String del = "{\"containerID\":\"" + p.container + "\",\"ifName\":\"eth0\",\"podNamespace\":\"e2e\","
        + "\"podName\":\"" + p.name + "\",\"podUID\":\"" + p.uid + "\"}";
    for (int other : new int[] {2, 3}) {
      Result r = curl("DELETE", socket(other), "/v1/ipam/ip", del);
      assertTrue(r.out.endsWith("500"), r.out);
      assertTrue(r.out.contains("runs on node node-1") && r.out.contains("node " + node(other) + " may not"), r.out);
      r = curl("DELETE", socket(other), "/v1/ipam/ips", del.replace(",\"ifName\":\"eth0\"", ""));
      assertTrue(r.out.contains("runs on node node-1"), r.out);
    }
    assertTrue(allocated("scope-pool").contains(address.substring(0, address.indexOf('/'))),
        "still held after the other nodes' attempts");
    Pod thief = new Pod("s1-again", p.name, p.uid, "ctr-" + sfx + "-steal", 2);
    netns(thief);
    Result stolen = cni("ADD", conf(bridge("t"), "ippool-cni", 2, ipam), thief);
    assertNotEquals(0, stolen.rc);
    assertTrue(stolen.out.contains("runs on node node-1"), stolen.out);

    assertEquals(0, cni("DEL", conf(bridge, "ippool-cni", 1, ipam), p).rc);
    assertFalse(allocated("scope-pool").contains(address.substring(0, address.indexOf('/'))));
  }

  /** The server goes away and comes back on the same address: an ADD sent meanwhile waits and then succeeds. */
  @Test
  void agent_survivesAServerRestart() throws Exception {
    pool("restart-pool", "10.251.2.0/24", "10.251.2.10-10.251.2.20");
    String bridge = bridge("r");
    String ipam = "\"default_ipv4_ippool\":[\"restart-pool\"]";
    Pod before = pod("r1", 1);
    assertEquals(0, cni("ADD", conf(bridge, "ippool-cni", 1, ipam), before).rc);

    server.close();
    Pod during = pod("r2", 1);
    CompletableFuture<Result> pending = CompletableFuture.supplyAsync(() -> {
      try {
        // Spiderpool's health check answers within 2 s, so an outage spans the ADD only for ippool-cni's budget.
        return cni("ADD", conf(bridge, "ippool-cni", 1, ipam), during);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(300);
    server = TestServer.start(database, null, dir.resolve("server"), auth, port);
    admin = ApiClient.admin(server);
    Result after = pending.get(60, TimeUnit.SECONDS);
    // The health check may have caught the outage; then the next ADD goes through.
    if (after.rc != 0) {
      assertTrue(after.out.contains("IPAM server"), after.out + after.err);
      after = cni("ADD", conf(bridge, "ippool-cni", 1, ipam), during);
    }
    assertEquals(0, after.rc, after.out + after.err);
    assertEquals(2, allocatedCount("restart-pool"));
    assertEquals(0, cni("DEL", conf(bridge, "ippool-cni", 1, ipam), before).rc);
    assertEquals(0, cni("DEL", conf(bridge, "ippool-cni", 1, ipam), during).rc);
    assertEquals(0, allocatedCount("restart-pool"));
  }

  /** With its node's agent stopped, ADD fails at once and says the agent is not there, for both plugins. */
  @Test
  void stoppedAgent_makesAddFailFastWithAClearError() throws Exception {
    pool("stopped-pool", "10.251.3.0/24", "10.251.3.10-10.251.3.20");
    String bridge = bridge("x");
    String ipam = "\"default_ipv4_ippool\":[\"stopped-pool\"]";
    agents[1].close();
    try {
      Pod p = pod("x1", 2);
      long t0 = System.nanoTime();
      Result ours = cni("ADD", conf(bridge, "ippool-cni", 2, ipam), p);
      long oursMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertNotEquals(0, ours.rc);
      assertTrue(ours.out.contains(socket(2).toString()), ours.out);
      assertTrue(oursMs < 10_000, "failed after " + oursMs + " ms, not fast: " + ours.out);
      if (spiderpoolPlugin != null) {
        Result theirs = cni("ADD", conf(bridge, "spiderpool", 2, ipam), pod("x2", 2));
        assertNotEquals(0, theirs.rc);
        assertTrue(theirs.out.contains("unhealthy spiderpool-agent backend"), theirs.out);
      }
      assertEquals(0, allocatedCount("stopped-pool"));
    } finally {
      agents[1] = startAgent(2);
    }
  }

  /**
   * The agents' account may use the IPAM API only, although this cluster's RBAC (every SubjectAccessReview
   * allowed) would let it do anything; and a token bound to node 3 cannot act for node 1.
   */
  @Test
  void agentIdentity_isLimitedToTheIpamApiAndItsBoundNode() throws Exception {
    Result list = https("GET", POOLS, "token-node-1", "node-1", null);
    assertTrue(list.out.endsWith("403"), list.out);
    assertTrue(list.out.contains("a node agent may use the IPAM API (/v1/ipam/) only"), list.out);

    Result healthy = https("GET", "/v1/ipam/healthy", "token-node-1", "node-1", null);
    assertTrue(healthy.out.endsWith("200"), healthy.out);
    Result unnamed = https("GET", "/v1/ipam/healthy", "token-node-1", null, null);
    assertTrue(unnamed.out.endsWith("403") && unnamed.out.contains("must name its node"), unnamed.out);
    Result otherNode = https("GET", "/v1/ipam/healthy", "token-node-3", "node-1", null);
    assertTrue(otherNode.out.endsWith("403") && otherNode.out.contains("bound to node node-3"), otherNode.out);
    Result badToken = https("GET", "/v1/ipam/healthy", "forged", "node-1", null);
    assertTrue(badToken.out.endsWith("401"), badToken.out);
  }

  // ------------------------------------------------------------------ steps

  /** One HTTPS call to the server as an agent would make it (certificate checked against the server's CA). */
  private static Result https(String method, String path, String token, String node, String body) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-w", "%{http_code}", "--cacert",
        server.dataDir().resolve("pki").resolve("ca.crt").toString(), "-X", method, "-H",
        "Authorization: Bearer " + token));
    if (node != null) {
      cmd.addAll(List.of("-H", "X-Ippool-Node-Name: " + node));
    }
    if (body != null) {
      cmd.addAll(List.of("-H", "Content-Type: application/json", "-d", body));
    }
    cmd.add("https://127.0.0.1:" + port + path);
    return exec(cmd, null, Map.of());
  }

  record Pod(String key, String name, String uid, String container, int node) {
  }

  record Result(int rc, String out, String err) {
  }

  /** A pod object in the mock cluster, scheduled on {@code node}, and its network namespace. */
  private Pod pod(String key, int node) throws Exception {
    Pod p = new Pod(key, "pod-" + sfx + "-" + key, "uid-" + sfx + "-" + key, "ctr-" + sfx + "-" + key, node);
    client.pods().inNamespace("e2e").resource(new PodBuilder().withNewMetadata().withNamespace("e2e")
        .withName(p.name).withUid(p.uid).endMetadata().withNewSpec().withNodeName(node(node)).endSpec()
        .withNewStatus().withPhase("Running").endStatus().build()).create();
    netns(p);
    return p;
  }

  private String netns(Pod p) throws Exception {
    String ns = "ipa-" + sfx + "-" + p.key;
    cleanup.push(List.of("ip", "netns", "del", ns));
    Result r = exec(List.of("ip", "netns", "add", ns), null, Map.of());
    assertEquals(0, r.rc, r.err);
    return ns;
  }

  private String bridge(String name) {
    String b = "ipab" + sfx + name; // <= 15 characters
    cleanup.push(List.of("ip", "link", "del", b));
    return b;
  }

  private void pool(String name, String subnet, String ips) {
    var r = admin.post(POOLS, "application/json", "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"subnet\":\""
        + subnet + "\",\"ips\":[\"" + ips + "\"]}}");
    assertEquals(201, r.code(), r.toString());
  }

  private String allocated(String pool) {
    return admin.get(POOLS + "/" + pool).json().path("status").path("allocatedIPs").asText("{}");
  }

  private int allocatedCount(String pool) {
    return admin.get(POOLS + "/" + pool).json().path("status").path("allocatedIPCount").asInt();
  }

  private String conf(String bridge, String plugin, int node, String ipamMembers) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"ipa-" + sfx + "\",\"type\":\"bridge\",\"bridge\":\"" + bridge
        + "\",\"isGateway\":false,\"ipMasq\":false,\"ipam\":{\"type\":\"" + plugin + "\",\"ipam_unix_socket_path\":\""
        + socket(node) + "\",\"log_file_path\":\"" + dir.resolve(plugin + ".log") + "\",\"timeout_seconds\":30,"
        + ipamMembers + "}}";
  }

  private Result cni(String command, String conf, Pod p) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", p.container);
    env.put("CNI_NETNS", "/var/run/netns/ipa-" + sfx + "-" + p.key);
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", binDir + ":" + OUR_CNI + ":" + PLUGINS);
    env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=e2e;K8S_POD_NAME=" + p.name + ";K8S_POD_UID=" + p.uid
        + ";K8S_POD_INFRA_CONTAINER_ID=" + p.container);
    return exec(List.of(PLUGINS.resolve("bridge").toString()), conf, env);
  }

  /** One HTTP call on a unix socket, as the plugin makes it; the output ends with the status code. */
  private static Result curl(String method, Path socket, String path, String body) throws Exception {
    return exec(List.of("curl", "-s", "-w", "%{http_code}", "--unix-socket", socket.toString(), "-X", method,
        "-H", "Content-Type: application/json", "-d", body, "http://localhost" + path), null, Map.of());
  }

  private List<String> addressesIn(Pod p) throws Exception {
    Result r = exec(List.of("ip", "netns", "exec", "ipa-" + sfx + "-" + p.key, "ip", "-j", "addr", "show", "eth0"),
        null, Map.of());
    assertEquals(0, r.rc, r.err);
    List<String> out = new ArrayList<>();
    for (JsonNode link : JSON.readTree(r.out.isBlank() ? "[]" : r.out)) {
      for (JsonNode a : link.path("addr_info")) {
        if ("global".equals(a.path("scope").asText())) {
          out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
        }
      }
    }
    return out;
  }

  private static Result exec(List<String> cmd, String stdin, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    ProcessRun.Result r = ProcessRun.run(pb, stdin, Duration.ofSeconds(90));
    return new Result(r.exit(), r.out(), r.err());
  }
}
