package io.ippool.deploy;

import io.ippool.testsupport.ProcessRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.MappingIterator;
import io.ippool.server.DurationConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart (charts/ippool-apiserver) with the real helm: lint and render several value sets, check what each
 * renders, and have the real kubectl accept every rendered install with {@code apply --dry-run=client}.
 *
 * <p>What the kubectl step checks, honestly: kubectl parses every document, maps each kind to a resource through
 * discovery (a stub serving the discovery documents of the APIs a cluster with cert-manager, the Prometheus
 * operator and CloudNativePG has) and checks namespace scope. It does not validate fields against OpenAPI schemas
 * ({@code --validate=false}: no schemas offline); the field-level checks are the assertions of this test.
 */
class ChartIT {
  static final Path CHART = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
      .resolve("charts/ippool-apiserver");
  private static final String NS = "ippool-system";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  record Run(int exit, String out, String err) {
  }

  @BeforeAll
  static void tools() {
    Assumptions.assumeTrue(onPath("helm"), "helm is not on PATH (.ci/run installs it)");
    Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not on PATH (.ci/run installs it)");
  }

  @Test
  void lint_passesForEveryValueSet() throws Exception {
    for (List<String> set : List.of(DEFAULTS, CNPG_PROVIDED_TLS_MONITORING, EXTERNAL_OWN_ISSUER_NO_CNI)) {
      List<String> cmd = new ArrayList<>(List.of("helm", "lint", "--strict", CHART.toString()));
      set.forEach(s -> cmd.addAll(List.of("--set", s)));
      Run r = run(null, cmd);
      assertEquals(0, r.exit(), set + ":\n" + r.out() + r.err());
    }
  }

  static final List<String> DEFAULTS = List.of();
  static final List<String> CNPG_PROVIDED_TLS_MONITORING = List.of("postgresql.mode=cloudnative-pg",
      "apiserver.tls.method=provided", "apiserver.tls.provided.secretName=my-tls",
      "apiserver.tls.provided.caBundle=Q0EK", "prometheus.serviceMonitor.install=true",
      "prometheus.prometheusRule.install=true", "grafanaDashboard.install=true", "apiserver.replicas=3");
  static final List<String> EXTERNAL_OWN_ISSUER_NO_CNI = List.of("postgresql.mode=external",
      "postgresql.external.url=postgresql://ipam:pw@db.example:5432/ipam?sslmode=verify-full",
      "apiserver.tls.certmanager.issuerName=corp-ca", "apiserver.tls.certmanager.issuerKind=ClusterIssuer",
      "plugins.installCNI=false", "image.tag=1.2.3", "global.imageRegistryOverride=mirror.example",
      "spiderpoolAgent.enabled=false");

  @Test
  void defaults_bundledPostgresAndCertManager_completeInstall(@TempDir Path dir) throws Exception {
    List<JsonNode> objs = render(DEFAULTS);
    assertEquals(new TreeSet<>(List.of(
        "APIService//v2beta1.spiderpool.spidernet.io",
        "Certificate/ippool-system/ippool-apiserver", "Certificate/ippool-system/ippool-apiserver-ca",
        "ClusterRole//ippool-apiserver", "ClusterRole//ippool-apiserver:spiderpool-edit",
        "ClusterRole//ippool-apiserver:spiderpool-view", "ClusterRoleBinding//ippool-apiserver",
        "ClusterRoleBinding//ippool-apiserver:system:auth-delegator", "ConfigMap/ippool-system/ippool-apiserver-cni-config",
        "DaemonSet/ippool-system/ippool-apiserver-cni", "Deployment/ippool-system/ippool-apiserver",
        "Issuer/ippool-system/ippool-apiserver-ca", "Issuer/ippool-system/ippool-apiserver-selfsigned",
        "PodDisruptionBudget/ippool-system/ippool-apiserver", "RoleBinding/kube-system/ippool-apiserver-auth-reader",
        "Secret/ippool-system/ippool-apiserver-database", "Service/ippool-system/ippool-apiserver",
        "Service/ippool-system/ippool-apiserver-postgres", "ServiceAccount/ippool-system/ippool-apiserver",
        "StatefulSet/ippool-system/ippool-apiserver-postgres", "DaemonSet/ippool-system/ippool-apiserver-agent",
        "ServiceAccount/ippool-system/ippool-apiserver-agent")), ids(objs));
    JsonNode api = find(objs, "APIService", "v2beta1.spiderpool.spidernet.io");
    assertEquals("ippool-system/ippool-apiserver",
        api.path("metadata").path("annotations").path("cert-manager.io/inject-ca-from").asText());
    assertEquals("ippool-apiserver", api.path("spec").path("service").path("name").asText());
    JsonNode deploy = find(objs, "Deployment", "ippool-apiserver");
    JsonNode pod = deploy.path("spec").path("template").path("spec");
    assertEquals(65532, pod.path("securityContext").path("runAsUser").asInt(), "the image's uid");
    JsonNode c = pod.path("containers").get(0);
    assertEquals("ghcr.io/ippool/ippool-apiserver:0.1.0", c.path("image").asText());
    assertEquals("ippool-apiserver-tls", volume(pod, "tls").path("secret").path("secretName").asText());
    assertEquals("ippool-apiserver-tls", find(objs, "Certificate", "ippool-apiserver").path("spec")
        .path("secretName").asText());
    JsonNode urlRef = env(c, "IPPOOL_DATABASE_URL").path("valueFrom").path("secretKeyRef");
    assertEquals("ippool-apiserver-database", urlRef.path("name").asText());
    JsonNode secret = find(objs, "Secret", "ippool-apiserver-database");
    String password = secret.path("stringData").path("password").asText();
    assertEquals(32, password.length(), "a generated password");
    assertEquals("postgresql://ippool:" + password + "@ippool-apiserver-postgres.ippool-system.svc:5432/ippool",
        secret.path("stringData").path(urlRef.path("key").asText()).asText());
    assertEquals("true", env(c, "IPPOOL_GC_ENABLED").path("value").asText());
    assertEquals("true", env(c, "IPPOOL_ENABLE_STATEFULSET").path("value").asText());
    DurationConverter durations = new DurationConverter();
    assertEquals(Duration.ofMinutes(10), durations.convert(env(c, "IPPOOL_GC_INTERVAL").path("value").asText()));
    assertEquals(Duration.ofSeconds(5),
        durations.convert(env(c, "IPPOOL_GC_ADDITIONAL_GRACE_DELAY").path("value").asText()));
    assertEquals("system:serviceaccount:ippool-system:ippool-apiserver-agent",
        env(c, "IPPOOL_IPAM_AGENT_USERS").path("value").asText(), "the agents' ServiceAccount may use the IPAM API");
    assertEquals("ippool-apiserver,https://kubernetes.default.svc.cluster.local",
        env(c, "IPPOOL_AUTHENTICATION_AUDIENCES").path("value").asText(), "agents' tokens and the cluster's own (Prometheus)");
    assertTrue(serveReads().containsAll(envNames(c)), "env the server does not read: " + envNames(c));

    JsonNode agent = agentPod(objs);
    assertEquals("ippool-apiserver-agent", agent.path("serviceAccountName").asText());
    assertFalse(agent.path("automountServiceAccountToken").asBoolean(true), "no kube-apiserver token on nodes");
    assertFalse(find(objs, "ServiceAccount", "ippool-apiserver-agent").path("automountServiceAccountToken")
        .asBoolean(true));
    assertTrue(agent.path("hostNetwork").asBoolean());
    assertEquals("ClusterFirstWithHostNet", agent.path("dnsPolicy").asText());
    assertEquals("system-node-critical", agent.path("priorityClassName").asText());
    JsonNode ac = agent.path("containers").get(0);
    List<String> command = texts(ac.path("command"));
    assertEquals(List.of("-jar", "/opt/ippool/ippool-apiserver.jar", "agent"),
        command.subList(command.size() - 3, command.size()), command.toString());
    assertEquals(List.of("--ipam-socket=/var/run/spidernet/spiderpool.sock",
        "--server=https://ippool-apiserver.ippool-system.svc:443", "--server-ca-file=/var/run/secrets/ippool/ca.crt",
        "--token-file=/var/run/secrets/ippool/token", "--health-port=5712", "--log-level=info", "--log-format=json"),
        texts(ac.path("args")));
    for (String arg : texts(ac.path("args"))) {
      assertTrue(agentReads().contains(arg.substring(0, arg.indexOf('='))), arg + " is not an agent flag");
    }
    assertEquals("spec.nodeName", env(ac, "IPPOOL_NODE_NAME").path("valueFrom").path("fieldRef").path("fieldPath")
        .asText());
    assertFalse(ac.path("env").toString().contains("DATABASE"), "the agent holds no database credentials");
    assertEquals(10001, ac.path("securityContext").path("runAsUser").asInt());
    assertTrue(ac.path("securityContext").path("runAsNonRoot").asBoolean());
    assertEquals("/livez", ac.path("livenessProbe").path("httpGet").path("path").asText());
    assertEquals("/readyz", ac.path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals(5712, named(ac.path("ports"), "health").path("containerPort").asInt());
    JsonNode init = agent.path("initContainers").get(0);
    assertEquals("sh -c chown 10001:10001 /var/run/spidernet && chmod 0755 /var/run/spidernet",
        String.join(" ", texts(init.path("command"))));
    assertEquals("/var/run/spidernet", volume(agent, "socket-dir").path("hostPath").path("path").asText());
    JsonNode sources = volume(agent, "credentials").path("projected").path("sources");
    assertEquals("ippool-apiserver", sources.get(0).path("serviceAccountToken").path("audience").asText());
    assertEquals("token", sources.get(0).path("serviceAccountToken").path("path").asText());
    assertEquals("ippool-apiserver-tls", sources.get(1).path("secret").path("name").asText());
    assertEquals(List.of("ca.crt"), sources.get(1).path("secret").findValuesAsText("key"), "the CA only, no key");

    JsonNode cni = find(objs, "DaemonSet", "ippool-apiserver-cni").path("spec").path("template").path("spec");
    assertTrue(String.join(" ", texts(cni.path("initContainers").get(0).path("command")))
        .contains("/host/opt/cni/bin/ippool-cni"));
    JsonNode conflist = new ObjectMapper().readTree(find(objs, "ConfigMap", "ippool-apiserver-cni-config")
        .path("data").path("ippool.conflist").asText());
    JsonNode ipam = conflist.path("plugins").get(0).path("ipam");
    assertEquals("ippool-cni", ipam.path("type").asText());
    assertEquals("/var/run/spidernet/spiderpool.sock", ipam.path("ipam_unix_socket_path").asText(),
        "the plugin calls the node agent");
    acceptedByKubectl(dir, objs);
  }

  @Test
  void cloudNativePg_providedTls_monitoringAndAgent(@TempDir Path dir) throws Exception {
    List<JsonNode> objs = render(CNPG_PROVIDED_TLS_MONITORING);
    Set<String> ids = ids(objs);
    assertTrue(ids.contains("Cluster/ippool-system/ippool-apiserver-postgres"), ids.toString());
    assertFalse(ids.stream().anyMatch(i -> i.startsWith("StatefulSet/") || i.startsWith("Certificate/")
        || i.startsWith("Issuer/") || i.startsWith("Secret/")), "CNPG owns the database Secret: " + ids);
    for (String id : List.of("ServiceMonitor/ippool-system/ippool-apiserver", "PrometheusRule/ippool-system/ippool-apiserver",
        "ConfigMap/ippool-system/ippool-apiserver-dashboard", "DaemonSet/ippool-system/ippool-apiserver-agent",
        "ClusterRole//ippool-apiserver:metrics-reader")) {
      assertTrue(ids.contains(id), id + " in " + ids);
    }
    JsonNode c = find(objs, "Deployment", "ippool-apiserver").path("spec").path("template").path("spec")
        .path("containers").get(0);
    JsonNode ref = env(c, "IPPOOL_DATABASE_URL").path("valueFrom").path("secretKeyRef");
    assertEquals("ippool-apiserver-postgres-app", ref.path("name").asText());
    assertEquals("uri", ref.path("key").asText(), "CloudNativePG's app Secret key");
    JsonNode api = find(objs, "APIService", "v2beta1.spiderpool.spidernet.io");
    assertEquals("Q0EK", api.path("spec").path("caBundle").asText());
    assertTrue(api.path("metadata").path("annotations").isMissingNode());
    assertEquals(3, find(objs, "Deployment", "ippool-apiserver").path("spec").path("replicas").asInt());
    // A provided certificate's Secret may carry no ca.crt: the agents get the given CA bundle, never the key.
    JsonNode caSource = volume(agentPod(objs), "credentials").path("projected").path("sources").get(1);
    assertEquals("ippool-apiserver-server-ca", caSource.path("configMap").path("name").asText());
    assertFalse(caSource.has("secret"));
    assertEquals("CA", find(objs, "ConfigMap", "ippool-apiserver-server-ca").path("data").path("ca.crt").asText()
        .trim());
    JsonNode dashboard = new ObjectMapper().readTree(find(objs, "ConfigMap", "ippool-apiserver-dashboard")
        .path("data").path("ippool-apiserver.json").asText());
    assertEquals("ippool-apiserver", dashboard.path("uid").asText());
    List<String> alerts = find(objs, "PrometheusRule", "ippool-apiserver").findValuesAsText("alert");
    assertEquals(List.of("IppoolPoolNearlyExhausted", "IppoolAllocationFailures", "IppoolEventLogLag",
        "IppoolDatabaseUnreachable", "IppoolGcReclaiming"), alerts);
    assertTrue(find(objs, "PrometheusRule", "ippool-apiserver").findValuesAsText("expr").contains(
        "sum by (reason) (increase(ippool_gc_reclaimed_total[1h])) > 50"));
    acceptedByKubectl(dir, objs);
  }

  @Test
  void externalDatabase_ownIssuer_noCni(@TempDir Path dir) throws Exception {
    List<JsonNode> objs = render(EXTERNAL_OWN_ISSUER_NO_CNI);
    Set<String> ids = ids(objs);
    assertFalse(ids.stream().anyMatch(i -> i.contains("postgres") || i.startsWith("Issuer/") || i.contains("-cni")),
        ids.toString());
    assertEquals("corp-ca", find(objs, "Certificate", "ippool-apiserver").path("spec").path("issuerRef").path("name")
        .asText());
    assertEquals("ClusterIssuer", find(objs, "Certificate", "ippool-apiserver").path("spec").path("issuerRef")
        .path("kind").asText());
    assertEquals("postgresql://ipam:pw@db.example:5432/ipam?sslmode=verify-full",
        find(objs, "Secret", "ippool-apiserver-database").path("stringData").path("url").asText());
    assertEquals("mirror.example/ippool/ippool-apiserver:1.2.3", find(objs, "Deployment", "ippool-apiserver")
        .path("spec").path("template").path("spec").path("containers").get(0).path("image").asText());
    assertFalse(ids.stream().anyMatch(i -> i.contains("-agent")), "agent disabled: " + ids);
    acceptedByKubectl(dir, objs);
  }

  /** The server trusts the agents of the namespace and release it is installed with, whatever they are. */
  @Test
  void agentIdentity_followsReleaseAndNamespace() throws Exception {
    Run r = run(null, List.of("helm", "template", "ipam", CHART.toString(), "--namespace", "net-ops"));
    assertEquals(0, r.exit(), r.err());
    List<JsonNode> objs = parse(r.out());
    JsonNode c = find(objs, "Deployment", "ipam-ippool-apiserver").path("spec").path("template").path("spec")
        .path("containers").get(0);
    JsonNode agent = find(objs, "DaemonSet", "ipam-ippool-apiserver-agent").path("spec").path("template")
        .path("spec");
    String sa = agent.path("serviceAccountName").asText();
    assertEquals("ipam-ippool-apiserver-agent", sa);
    find(objs, "ServiceAccount", sa);
    assertEquals("system:serviceaccount:net-ops:" + sa, env(c, "IPPOOL_IPAM_AGENT_USERS").path("value").asText());
    assertTrue(texts(agent.path("containers").get(0).path("args"))
        .contains("--server=https://ipam-ippool-apiserver.net-ops.svc:443"));
  }

  /** Environment variables ippool-apiserver serve reads (each flag's IPPOOL_* default source). */
  private static Set<String> serveReads() {
    return envDefaults(new io.ippool.cli.ServeCommand());
  }

  /** Flags ippool-apiserver agent accepts. */
  private static Set<String> agentReads() {
    Set<String> out = new TreeSet<>();
    new picocli.CommandLine(new io.ippool.cli.AgentCommand()).getCommandSpec().options()
        .forEach(o -> out.addAll(List.of(o.names())));
    return out;
  }

  private static Set<String> envDefaults(Object command) {
    picocli.CommandLine cl = new picocli.CommandLine(command);
    cl.getCommandSpec().interpolateVariables(false);
    Set<String> out = new TreeSet<>();
    java.util.regex.Pattern env = java.util.regex.Pattern.compile("\\$\\{env:(IPPOOL_[A-Z_]+)");
    for (var o : cl.getCommandSpec().options()) {
      if (o.defaultValue() != null) {
        java.util.regex.Matcher m = env.matcher(o.defaultValue());
        while (m.find()) {
          out.add(m.group(1));
        }
      }
    }
    return out;
  }

  private static Set<String> envNames(JsonNode container) {
    Set<String> out = new TreeSet<>();
    container.path("env").forEach(e -> {
      if (e.path("name").asText().startsWith("IPPOOL_")) {
        out.add(e.path("name").asText());
      }
    });
    return out;
  }

  private static JsonNode agentPod(List<JsonNode> objs) {
    return find(objs, "DaemonSet", "ippool-apiserver-agent").path("spec").path("template").path("spec");
  }

  @Test
  void badValues_failToRenderWithTheReason() throws Exception {
    Run mode = template(List.of("postgresql.mode=mysql"));
    assertNotEquals(0, mode.exit());
    assertTrue(mode.err().contains("postgresql.mode must be one of bundled, cloudnative-pg, external"), mode.err());
    Run noUrl = template(List.of("postgresql.mode=external"));
    assertNotEquals(0, noUrl.exit());
    assertTrue(noUrl.err().contains("needs postgresql.external.url or postgresql.existingSecret"), noUrl.err());
    Run noSecret = template(List.of("apiserver.tls.method=provided"));
    assertNotEquals(0, noSecret.exit());
    assertTrue(noSecret.err().contains("apiserver.tls.provided.secretName is required"), noSecret.err());
  }

  /** The stub is no rubber stamp: kubectl rejects a kind the cluster does not serve, and a misplaced scope. */
  @Test
  void kubectlStep_rejectsUnknownKinds(@TempDir Path dir) throws Exception {
    try (DiscoveryOnlyApiServer stub = DiscoveryOnlyApiServer.start(dir)) {
      Run unknown = run("apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: x, namespace: ns1}\n",
          List.of("kubectl", "--kubeconfig=" + stub.kubeconfig, "apply", "--dry-run=client", "--validate=false",
              "-f", "-"), dir);
      assertNotEquals(0, unknown.exit(), unknown.out());
      assertTrue(unknown.err().contains("no matches for kind \"PodMonitor\""), unknown.err());
    }
  }

  /** kubectl maps and scopes every object and reports each one created (dry run). */
  private static void acceptedByKubectl(Path dir, List<JsonNode> objs) throws Exception {
    try (DiscoveryOnlyApiServer stub = DiscoveryOnlyApiServer.start(dir)) {
      StringBuilder yaml = new StringBuilder();
      for (JsonNode o : objs) {
        yaml.append("---\n").append(YAML.writeValueAsString(o));
      }
      Run r = run(yaml.toString(), List.of("kubectl", "--kubeconfig=" + stub.kubeconfig, "apply", "--dry-run=client",
          "--validate=false", "-f", "-"), dir);
      assertEquals(0, r.exit(), r.out() + r.err());
      assertEquals(objs.size(), r.out().lines().filter(l -> l.endsWith(" created (dry run)")).count(), r.out());
    }
  }

  static List<JsonNode> render(List<String> set) throws Exception {
    Run r = template(set);
    assertEquals(0, r.exit(), r.err());
    return parse(r.out());
  }

  private static List<JsonNode> parse(String yaml) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && n.isObject() && n.size() > 0) {
          ObjectNode o = (ObjectNode) n;
          out.add(o);
        }
      }
    }
    return out;
  }

  private static Run template(List<String> set) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("helm", "template", "ippool-apiserver", CHART.toString(),
        "--namespace", NS));
    set.forEach(s -> cmd.addAll(List.of("--set", s)));
    return run(null, cmd);
  }

  static Run run(String stdin, List<String> cmd) throws Exception {
    return run(stdin, cmd, Files.createTempDirectory("chart-it"));
  }

  private static Run run(String stdin, List<String> cmd, Path home) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    // Own HOME: kubectl's discovery cache and helm's config never leak between tests or from the user.
    pb.environment().put("HOME", home.toString());
    pb.environment().remove("KUBECONFIG");
    ProcessRun.Result r = ProcessRun.run(pb, stdin, Duration.ofSeconds(120));
    return new Run(r.exit(), r.out(), r.err());
  }

  static boolean onPath(String tool) {
    try {
      Process p = new ProcessBuilder(tool, "version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      return false;
    }
  }

  static JsonNode find(List<JsonNode> objs, String kind, String name) {
    return objs.stream().filter(o -> kind.equals(o.path("kind").asText())
        && name.equals(o.path("metadata").path("name").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + ids(objs)));
  }

  private static Set<String> ids(List<JsonNode> objs) {
    Set<String> ids = new TreeSet<>();
    objs.forEach(o -> ids.add(o.path("kind").asText() + "/" + o.path("metadata").path("namespace").asText("") + "/"
        + o.path("metadata").path("name").asText()));
    return ids;
  }

  private static JsonNode volume(JsonNode pod, String name) {
    return named(pod.path("volumes"), name);
  }

  private static JsonNode env(JsonNode container, String name) {
    return named(container.path("env"), name);
  }

  private static JsonNode named(JsonNode list, String name) {
    for (JsonNode n : list) {
      if (name.equals(n.path("name").asText())) {
        return n;
      }
    }
    throw new AssertionError("no " + name + " in " + list);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
