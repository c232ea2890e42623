package io.ippool.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Node agent benchmark (not a test; bench/agent.sh runs it as root). Starts the packaged server (embedded
 * PostgreSQL, its own IPAM socket) and three agent processes with the DaemonSet's JVM flags, then measures
 * exec-to-result latency of CNI ADD for Spiderpool's plugin and ippool-cni, at 1 and 8 concurrent pod starts per
 * node, through the agents and directly on the server's socket in the same run, and the throughput of N pod ADDs
 * spread over the three agents at 8 per node against the same on the server's socket. Agent start-up time and RSS
 * are read from the agent processes.
 *
 * <p>Plugins are executed as IPAM plugins (what the main plugin does), in network namespaces holding a
 * veth eth0 so that Spiderpool's plugin can announce its address; each ADD is a new pod and container.
 */
public final class AgentBenchmark {
  static final List<String> AGENT_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k",
      "-Xmx48m", "-XX:MaxMetaspaceSize=64m", "-XX:ReservedCodeCacheSize=24m", "-XX:MaxDirectMemorySize=16m",
      "-Dio.netty.allocator.numDirectArenas=1", "-Dio.netty.allocator.numHeapArenas=1");
  static final int NODES = 3;

  private final Path root;
  private final Path work;
  private final Path jar;
  private final Map<String, Path> plugins;
  private final List<Process> processes = new ArrayList<>();
  private final List<String> namespaces = new ArrayList<>();
  private final AtomicInteger podSeq = new AtomicInteger();
  private final String run = Long.toHexString(System.nanoTime() & 0xffffff);
  private Path serverSocket;

  AgentBenchmark(Path root, Path work, Map<String, Path> plugins) {
    this.root = root;
    this.work = work;
    this.jar = root.resolve("target/ippool-apiserver.jar");
    this.plugins = plugins;
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]).toAbsolutePath();
    Path spiderpool = Path.of(args[1]);
    int pods = Integer.getInteger("pods", 1000);
    int samples = Integer.getInteger("samples", 120);
    Path work = Files.createTempDirectory("agent-bench");
    Map<String, Path> plugins = new java.util.LinkedHashMap<>();
    plugins.put("spiderpool", spiderpool);
    plugins.put("ippool-cni", root.resolve("target/cni/ippool-cni"));
    AgentBenchmark b = new AgentBenchmark(root, work, plugins);
    try {
      b.go(pods, samples);
    } finally {
      b.stop();
    }
  }

  void go(int pods, int samples) throws Exception {
    startServer();
    List<Path> agentSockets = new ArrayList<>();
    List<Long> startMs = new ArrayList<>();
    for (int n = 1; n <= NODES; n++) {
      Path sock = work.resolve("node" + n + ".sock");
      long t0 = System.nanoTime();
      Process p = start("agent-" + n, javaCmd(AGENT_JVM, "agent", "--kubeconfig",
          work.resolve("data/kubeconfig").toString(), "--node-name", "bench-node-" + n, "--ipam-socket",
          sock.toString(), "--health-port", "-1"));
      waitFor(sock, 30_000);
      long served = System.nanoTime();
      startMs.add(TimeUnit.NANOSECONDS.toMillis(served - t0));
      agentSockets.add(sock);
      processes.add(p);
    }
    System.out.printf(Locale.ROOT, "agent start to socket served (ms): %s%n", startMs);
    for (int i = 0; i < NODES * 8; i++) {
      String ns = "b" + run + "-" + i;
      namespaces.add(ns);
      netns(ns);
    }
    warm(agentSockets);

    System.out.println("\n| plugin | path | concurrent per node | ADDs | p50 ms | p99 ms | max ms |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (String plugin : plugins.keySet()) {
      for (int perNode : new int[] {1, 8}) {
        int per = Math.max(1, samples / (NODES * perNode));
        // Direct and agent take turns within each row pair, so machine drift weighs on both.
        for (String path : new String[] {"direct", "agent"}) {
          List<Long> lat = runAdds(plugin, path.equals("agent") ? agentSockets : List.of(serverSocket), perNode,
              per * NODES * perNode);
          Collections.sort(lat);
          System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %d |%n", plugin, path, perNode, lat.size(),
              pct(lat, 50), pct(lat, 99), lat.get(lat.size() - 1));
        }
      }
    }
    System.out.println("\n| plugin | path | pod ADDs | concurrent | seconds | ADDs/s |");
    System.out.println("|---|---|---|---|---|---|");
    for (String plugin : plugins.keySet()) {
      for (String path : new String[] {"direct", "agent"}) {
        long t0 = System.nanoTime();
        runAdds(plugin, path.equals("agent") ? agentSockets : List.of(serverSocket), 8, pods);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %.1f | %.1f |%n", plugin, path, pods, NODES * 8, s,
            pods / s);
      }
    }
    System.out.println();
    for (int n = 0; n < NODES; n++) {
      long pid = processes.get(n + 1).pid();
      System.out.printf(Locale.ROOT, "agent %d after the run: %s%n", n + 1, memory(pid));
    }
  }

  /** A few ADDs per agent and plugin first: JIT and connections warm, as in a node that has run a while. */
  private void warm(List<Path> agentSockets) throws Exception {
    for (String plugin : plugins.keySet()) {
      runAdds(plugin, agentSockets, 1, 12);
      runAdds(plugin, List.of(serverSocket), 1, 12);
    }
  }

  /** {@code total} ADDs from NODES × perNode streams; stream i uses socket i mod the sockets given. */
  private List<Long> runAdds(String plugin, List<Path> sockets, int perNode, int total) throws Exception {
    int streams = NODES * perNode;
    ExecutorService pool = Executors.newFixedThreadPool(streams);
    AtomicInteger left = new AtomicInteger(total);
    List<Future<List<Long>>> fs = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      Path sock = sockets.get(s % sockets.size());
      String ns = namespaces.get(s % namespaces.size());
      fs.add(pool.submit(() -> {
        List<Long> out = new ArrayList<>();
        while (left.getAndDecrement() > 0) {
          out.add(add(plugin, sock, ns));
        }
        return out;
      }));
    }
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> f : fs) {
      all.addAll(f.get());
    }
    pool.shutdown();
    return all;
  }

  /** One ADD, exec to exit, in milliseconds; fails the run when the plugin fails. */
  private long add(String plugin, Path socket, String ns) throws Exception {
    int n = podSeq.incrementAndGet();
    String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"bench\",\"type\":\"" + plugin + "\",\"ipam\":{\"type\":\""
        + plugin + "\",\"ipam_unix_socket_path\":\"" + socket + "\",\"log_file_path\":\"" + work.resolve(plugin
        + ".log") + "\",\"log_level\":\"error\",\"default_ipv4_ippool\":[\"bench-pool\"]}}";
    ProcessBuilder pb = new ProcessBuilder(plugins.get(plugin).toString());
    Map<String, String> env = pb.environment();
    env.put("CNI_COMMAND", "ADD");
    env.put("CNI_CONTAINERID", "bench-" + run + "-" + n);
    env.put("CNI_NETNS", "/var/run/netns/" + ns);
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", plugins.get(plugin).getParent().toString());
    env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=pod-" + run + "-" + n
        + ";K8S_POD_UID=uid-" + run + "-" + n);
    pb.redirectErrorStream(true);
    long t0 = System.nanoTime();
    Process p = pb.start();
    p.getOutputStream().write(conf.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    if (p.exitValue() != 0 || !out.contains("\"ips\"")) {
      throw new IllegalStateException(plugin + " ADD via " + socket + " failed: " + out);
    }
    return ms;
  }

  private void startServer() throws Exception {
    serverSocket = work.resolve("server.sock");
    processes.add(start("server", javaCmd(List.of("-Xmx1g"), "serve", "--data-dir", work.resolve("data").toString(),
        "--secure-port", "0", "--ipam-socket", serverSocket.toString())));
    waitFor(work.resolve("data/kubeconfig"), 180_000);
    waitFor(serverSocket, 10_000);
    Path pool = work.resolve("pool.yaml");
    Files.writeString(pool, """
        apiVersion: spiderpool.spidernet.io/v2beta1
        kind: SpiderIPPool
        metadata: {name: bench-pool}
        spec: {subnet: 10.200.0.0/16, ips: ["10.200.0.1-10.200.255.254"]}
        """);
    Process k = new ProcessBuilder("kubectl", "--kubeconfig", work.resolve("data/kubeconfig").toString(), "apply",
        "-f", pool.toString()).inheritIO().start();
    if (k.waitFor() != 0) {
      throw new IllegalStateException("kubectl apply failed");
    }
  }

  private List<String> javaCmd(List<String> jvm, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvm);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private Process start(String name, List<String> cmd) throws IOException {
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile())
        .start();
  }

  private static void waitFor(Path file, long ms) throws Exception {
    long deadline = System.currentTimeMillis() + ms;
    while (!Files.exists(file)) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(file + " did not appear");
      }
      Thread.sleep(5);
    }
  }

  /** A namespace with an eth0 (one end of a veth pair whose other end stays inside: nothing reaches the host). */
  private static void netns(String name) throws Exception {
    sh("ip", "netns", "add", name);
    sh("ip", "netns", "exec", name, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "peer0");
    sh("ip", "netns", "exec", name, "ip", "link", "set", "eth0", "up");
    sh("ip", "netns", "exec", name, "ip", "link", "set", "peer0", "up");
  }

  private static void sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed");
    }
  }

  private static String memory(long pid) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS") || line.startsWith("VmHWM")) {
        sb.append(line.replaceAll("\\s+", " ")).append("; ");
      }
    }
    return sb.toString();
  }

  private static long pct(List<Long> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  void stop() throws Exception {
    for (Process p : processes) {
      p.destroy(); // SIGTERM: graceful stop, the embedded PostgreSQL included
    }
    for (Process p : processes) {
      p.waitFor(60, TimeUnit.SECONDS);
    }
    for (String ns : namespaces) {
      new ProcessBuilder("ip", "netns", "del", ns).inheritIO().start().waitFor();
    }
  }
}
