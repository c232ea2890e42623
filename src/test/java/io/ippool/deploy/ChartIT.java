package io.ippool.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.MappingIterator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
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
      "prometheus.prometheusRule.install=true", "grafanaDashboard.install=true", "spiderpoolAgent.enabled=true",
      "apiserver.replicas=3");
  static final List<String> EXTERNAL_OWN_ISSUER_NO_CNI = List.of("postgresql.mode=external",
      "postgresql.external.url=postgresql://ipam:pw@db.example:5432/ipam?sslmode=verify-full",
      "apiserver.tls.certmanager.issuerName=corp-ca", "apiserver.tls.certmanager.issuerKind=ClusterIssuer",
      "plugins.installCNI=false", "image.tag=1.2.3", "global.imageRegistryOverride=mirror.example");

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
        "StatefulSet/ippool-system/ippool-apiserver-postgres")), ids(objs));
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
    JsonNode cni = find(objs, "DaemonSet", "ippool-apiserver-cni").path("spec").path("template").path("spec");
    assertTrue(String.join(" ", texts(cni.path("initContainers").get(0).path("command")))
        .contains("/host/opt/cni/bin/ippool-cni"));
    new ObjectMapper().readTree(find(objs, "ConfigMap", "ippool-apiserver-cni-config").path("data")
        .path("ippool.conflist").asText());
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
    JsonNode agent = find(objs, "DaemonSet", "ippool-apiserver-agent").path("spec").path("template").path("spec");
    List<String> args = texts(agent.path("containers").get(0).path("args"));
    assertEquals(List.of("agent", "--node-name=$(NODE_NAME)", "--ipam-socket=/var/run/spidernet/spiderpool.sock"),
        args);
    assertEquals("/var/run/spidernet", volume(agent, "ipam-socket-dir").path("hostPath").path("path").asText());
    JsonNode dashboard = new ObjectMapper().readTree(find(objs, "ConfigMap", "ippool-apiserver-dashboard")
        .path("data").path("ippool-apiserver.json").asText());
    assertEquals("ippool-apiserver", dashboard.path("uid").asText());
    List<String> alerts = find(objs, "PrometheusRule", "ippool-apiserver").findValuesAsText("alert");
    assertEquals(List.of("IppoolPoolNearlyExhausted", "IppoolAllocationFailures", "IppoolEventLogLag",
        "IppoolDatabaseUnreachable"), alerts);
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
    acceptedByKubectl(dir, objs);
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
    List<JsonNode> out = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(r.out())) {
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
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " did not finish in 120 s");
    }
    return new Run(p.exitValue(), out.get(), err.get());
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
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
