package io.ippool.cli;

import io.ippool.agent.Agent;
import io.ippool.agent.KubeconfigUpstream;
import io.ippool.agent.Upstream;
import io.ippool.server.DurationConverter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** `agent`: the node agent the CNI plugin talks to. Every flag also reads an IPPOOL_* environment variable. */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = "Serve spiderpool-agent's IPAM API on this node's unix socket, answered by the server over HTTPS.")
public final class AgentCommand implements Callable<Integer> {
  static final String IN_CLUSTER_SERVER = "https://ippool-apiserver.ippool-system.svc:443";

  @Spec
  CommandSpec spec;

  @Option(names = "--node-name", paramLabel = "NAME", defaultValue = "${env:IPPOOL_NODE_NAME}",
      description = "This node's name (in a pod: spec.nodeName from the downward API); the server lets the agent "
          + "allocate only for pods on it. Required. Env IPPOOL_NODE_NAME.")
  String nodeName;

  @Option(names = "--ipam-socket", paramLabel = "PATH",
      defaultValue = "${env:IPPOOL_IPAM_SOCKET:-/var/run/spidernet/spiderpool.sock}",
      description = "Unix socket (mode 0600) the CNI plugin calls; Spiderpool's path, so its plugin works "
          + "unchanged. Env IPPOOL_IPAM_SOCKET. Default: ${DEFAULT-VALUE}")
  Path socket;

  @Option(names = "--kubeconfig", paramLabel = "FILE", defaultValue = "${env:IPPOOL_KUBECONFIG}",
      description = "Standalone: the server's URL, CA and the agent's credentials (token or client certificate) "
          + "from this kubeconfig's current context; empty uses --server, --server-ca-file and --token-file. "
          + "Env IPPOOL_KUBECONFIG.")
  Path kubeconfig;

  @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:IPPOOL_SERVER}",
      description = "https://host:port of the server; empty: the kubeconfig's, else " + IN_CLUSTER_SERVER
          + ". Env IPPOOL_SERVER.")
  URI server;

  @Option(names = "--server-ca-file", paramLabel = "FILE",
      defaultValue = "${env:IPPOOL_SERVER_CA_FILE:-/var/run/secrets/ippool/ca.crt}",
      description = "CA of the server's certificate (without --kubeconfig). Env IPPOOL_SERVER_CA_FILE. "
          + "Default: ${DEFAULT-VALUE}")
  Path serverCaFile;

  @Option(names = "--token-file", paramLabel = "FILE",
      defaultValue = "${env:IPPOOL_TOKEN_FILE:-/var/run/secrets/ippool/token}",
      description = "The pod's projected ServiceAccount token (audience ippool-apiserver), re-read when the kubelet "
          + "rotates it (without --kubeconfig). Env IPPOOL_TOKEN_FILE. Default: ${DEFAULT-VALUE}")
  Path tokenFile;

  @Option(names = "--request-budget", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:IPPOOL_REQUEST_BUDGET:-25s}",
      description = "How long one CNI call may wait for an unreachable server (retrying) before it fails; below "
          + "the plugin's own timeout so the plugin gets the reason. Env IPPOOL_REQUEST_BUDGET. "
          + "Default: ${DEFAULT-VALUE}")
  Duration budget;

  @Option(names = "--connections", paramLabel = "N", defaultValue = "${env:IPPOOL_CONNECTIONS:-2}",
      description = "Persistent HTTP/2 connections to the server (requests are multiplexed on them). "
          + "Env IPPOOL_CONNECTIONS. Default: ${DEFAULT-VALUE}")
  int connections;

  @Option(names = "--health-port", paramLabel = "PORT", defaultValue = "${env:IPPOOL_HEALTH_PORT:-5712}",
      description = "HTTP port of /livez and /readyz (ready: the server answers) for the kubelet's probes; 0 picks "
          + "a free one, -1 serves none. Env IPPOOL_HEALTH_PORT. Default: ${DEFAULT-VALUE}")
  int healthPort;

  @Option(names = "--health-address", paramLabel = "ADDR", defaultValue = "${env:IPPOOL_HEALTH_ADDRESS:-0.0.0.0}",
      description = "Address of --health-port. Env IPPOOL_HEALTH_ADDRESS. Default: ${DEFAULT-VALUE}")
  String healthAddress;

  @Mixin
  LoggingOptions logging;

  @Override
  public Integer call() throws Exception {
    if (nodeName == null || nodeName.isBlank()) {
      throw new ParameterException(spec.commandLine(), "--node-name (or IPPOOL_NODE_NAME) is required");
    }
    if (connections < 1 || connections > 64) {
      throw new ParameterException(spec.commandLine(), "--connections must be within 1..64");
    }
    if (budget.isZero()) {
      throw new ParameterException(spec.commandLine(), "--request-budget must be more than 0");
    }
    logging.apply();
    Upstream upstream;
    try {
      upstream = upstream();
    } catch (java.io.IOException e) {
      System.err.println("ippool-apiserver agent: " + e.getMessage());
      return 1;
    }
    Agent agent = new Agent(new Agent.AgentConfig(upstream, nodeName, socket, budget, connections, healthAddress,
        healthPort));
    CountDownLatch stop = new CountDownLatch(1);
    for (String signal : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.countDown());
    }
    try {
      agent.start();
    } catch (Exception e) {
      System.err.println("ippool-apiserver agent: " + e.getMessage());
      agent.close();
      return 1;
    }
    Thread fallback = new Thread(agent::close, "shutdown");
    Runtime.getRuntime().addShutdownHook(fallback);
    stop.await();
    Runtime.getRuntime().removeShutdownHook(fallback);
    agent.close();
    return 0;
  }

  private Upstream upstream() throws java.io.IOException {
    if (kubeconfig != null) {
      return KubeconfigUpstream.load(kubeconfig, server);
    }
    URI url = server != null ? server : URI.create(IN_CLUSTER_SERVER);
    if (!"https".equals(url.getScheme())) {
      throw new java.io.IOException("--server " + url + " is not an https:// URL");
    }
    String ca = Files.isReadable(serverCaFile) ? Files.readString(serverCaFile) : null;
    if (ca == null) {
      throw new java.io.IOException("cannot read --server-ca-file " + serverCaFile);
    }
    if (!Files.isReadable(tokenFile)) {
      throw new java.io.IOException("cannot read --token-file " + tokenFile
          + " (a projected ServiceAccount token volume, or use --kubeconfig)");
    }
    return Upstream.withTokenFile(url, ca, tokenFile);
  }
}
