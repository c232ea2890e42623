package io.ippool.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders deploy/ (and the production example) with the real `kubectl kustomize` and checks what a cluster
 * admin would apply: the objects, where they go, and the details that decide whether the APIService turns
 * Available and the pods run.
 */
class ManifestsIT {
  private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
  private static final String NS = "ippool-system";
  private static List<JsonNode> deploy;

  @BeforeAll
  static void render() throws Exception {
    Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not on PATH");
    deploy = kustomize("deploy");
  }

  @Test
  void deploy_rendersExactlyTheseObjects() {
    Set<String> want = new TreeSet<>(List.of(
        "Namespace//ippool-system",
        "ServiceAccount/ippool-system/ippool-apiserver",
        "Service/ippool-system/ippool-apiserver",
        "APIService//v2beta1.spiderpool.spidernet.io",
        "ClusterRole//ippool-apiserver",
        "ClusterRoleBinding//ippool-apiserver",
        "ClusterRoleBinding//ippool-apiserver:system:auth-delegator",
        "RoleBinding/kube-system/ippool-apiserver-auth-reader",
        "ClusterRole//ippool:spiderpool-edit",
        "ClusterRole//ippool:spiderpool-view",
        "Secret/ippool-system/ippool-database",
        "StatefulSet/ippool-system/ippool-postgres",
        "Service/ippool-system/ippool-postgres",
        "Deployment/ippool-system/ippool-apiserver",
        "PodDisruptionBudget/ippool-system/ippool-apiserver",
        "ConfigMap/ippool-system/ippool-cni-config",
        "DaemonSet/ippool-system/ippool-cni",
        "ServiceAccount/ippool-system/ippool-agent",
        "DaemonSet/ippool-system/ippool-agent"));
    assertEquals(want, ids(deploy));
  }

  @Test
  void apiService_claimsTheGroupThroughOurService_withoutTheAutomanagedLabel() {
    JsonNode a = find(deploy, "APIService", "v2beta1.spiderpool.spidernet.io");
    JsonNode spec = a.path("spec");
    assertEquals("apiregistration.k8s.io/v1", a.path("apiVersion").asText());
    assertEquals("spiderpool.spidernet.io", spec.path("group").asText());
    assertEquals("v2beta1", spec.path("version").asText());
    assertEquals(1000, spec.path("groupPriorityMinimum").asInt());
    assertEquals(100, spec.path("versionPriority").asInt());
    assertEquals(NS, spec.path("service").path("namespace").asText());
    assertEquals("ippool-apiserver", spec.path("service").path("name").asText());
    assertEquals(443, spec.path("service").path("port").asInt());
    assertFalse(spec.path("insecureSkipTLSVerify").asBoolean(), "never skip TLS verification");
    for (JsonNode o : deploy) {
      assertTrue(o.path("metadata").path("labels").path("kube-aggregator.kubernetes.io/automanaged").isMissingNode(),
          "automanaged label on " + id(o) + ": the autoregister controller would revert the APIService to local");
    }
    assertTrue(spec.path("caBundle").isTextual(), "caBundle placeholder present");
  }

  @Test
  void service_reachesTheDeploymentsHttpsPort() {
    JsonNode svc = find(deploy, "Service", "ippool-apiserver");
    JsonNode port = svc.path("spec").path("ports").get(0);
    assertEquals(443, port.path("port").asInt());
    assertEquals("https", port.path("targetPort").asText());
    JsonNode pod = find(deploy, "Deployment", "ippool-apiserver").path("spec").path("template");
    svc.path("spec").path("selector").fields().forEachRemaining(e ->
        assertEquals(e.getValue().asText(), pod.path("metadata").path("labels").path(e.getKey()).asText()));
    JsonNode cport = container(pod, "apiserver").path("ports").get(0);
    assertEquals("https", cport.path("name").asText());
    assertEquals(6443, cport.path("containerPort").asInt());
  }

  @Test
  void deployment_runsTwoHardenedReplicasWithHttpsProbesTlsFilesAndTheDatabaseSecret() {
    JsonNode d = find(deploy, "Deployment", "ippool-apiserver");
    assertEquals(2, d.path("spec").path("replicas").asInt());
    JsonNode pod = d.path("spec").path("template").path("spec");
    assertEquals("ippool-apiserver", pod.path("serviceAccountName").asText());
    assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
    JsonNode c = container(d.path("spec").path("template"), "apiserver");
    assertEquals("ghcr.io/ippool/ippool-apiserver:0.1.0", c.path("image").asText());
    assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
    assertFalse(c.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true));
    assertProbe(c.path("livenessProbe"), "/livez");
    assertProbe(c.path("readinessProbe"), "/readyz");
    assertFalse(c.path("resources").path("requests").path("cpu").isMissingNode());
    assertFalse(c.path("resources").path("requests").path("memory").isMissingNode());
    assertFalse(c.path("resources").path("limits").path("memory").isMissingNode());

    List<String> args = texts(c.path("args"));
    assertTrue(args.contains("--bind-address=0.0.0.0"), args.toString());
    assertTrue(args.contains("--secure-port=6443"), args.toString());
    assertTrue(args.contains("--tls-cert-file=/etc/ippool/tls/tls.crt"), args.toString());
    assertTrue(args.contains("--tls-private-key-file=/etc/ippool/tls/tls.key"), args.toString());
    assertEquals("/etc/ippool/tls", mountPath(c, "tls"));
    assertEquals("ippool-apiserver-tls", volume(pod, "tls").path("secret").path("secretName").asText());
    String dataDir = args.stream().filter(a -> a.startsWith("--data-dir=")).findFirst().orElseThrow().substring(11);
    assertEquals(dataDir, mountPath(c, "data"));
    assertTrue(volume(pod, "data").has("emptyDir"), "writable data dir under a read-only root");
    assertTrue(volume(pod, "tmp").has("emptyDir"));

    JsonNode ref = env(c, "IPPOOL_DATABASE_URL").path("valueFrom").path("secretKeyRef");
    assertEquals("ippool-database", ref.path("name").asText());
    JsonNode secret = find(deploy, "Secret", "ippool-database");
    String url = secret.path("stringData").path(ref.path("key").asText()).asText();
    assertTrue(url.startsWith("postgresql://"), url);
    assertTrue(url.contains("@ippool-postgres." + NS + ".svc:5432/"), "URL points at the bundled Service: " + url);
  }

  /** One non-root uid everywhere: what the Dockerfile builds is what the Deployment asks for. */
  @Test
  void dockerfileUser_isTheDeploymentsUidAndGid() throws Exception {
    JsonNode ctx = find(deploy, "Deployment", "ippool-apiserver").path("spec").path("template").path("spec")
        .path("securityContext");
    String dockerfile = java.nio.file.Files.readString(ROOT.resolve("Dockerfile"));
    java.util.regex.Matcher user = java.util.regex.Pattern.compile("(?m)^USER (\\d+)").matcher(dockerfile);
    assertTrue(user.find(), "Dockerfile has a numeric USER");
    assertEquals(ctx.path("runAsUser").asText(), user.group(1));
    assertTrue(dockerfile.contains("--uid " + ctx.path("runAsUser").asText() + " --gid "
        + ctx.path("runAsGroup").asText()), "the image's user and group are the Deployment's");
  }

  @Test
  void serverRbac_readsClusterStateAndDelegatesAuth() {
    JsonNode role = find(deploy, "ClusterRole", "ippool-apiserver");
    assertRule(role, "", "pods", "get", "list", "watch");
    assertRule(role, "", "namespaces", "get", "list", "watch");
    assertRule(role, "", "nodes", "get", "list", "watch");
    assertRule(role, "admissionregistration.k8s.io", "mutatingwebhookconfigurations", "get", "list", "watch");
    assertRule(role, "admissionregistration.k8s.io", "validatingwebhookconfigurations", "get", "list", "watch");
    assertRule(role, "authentication.k8s.io", "tokenreviews", "create");
    assertRule(role, "authorization.k8s.io", "subjectaccessreviews", "create");

    assertBinding(find(deploy, "ClusterRoleBinding", "ippool-apiserver"), "ClusterRole", "ippool-apiserver");
    assertBinding(find(deploy, "ClusterRoleBinding", "ippool-apiserver:system:auth-delegator"), "ClusterRole",
        "system:auth-delegator");
    JsonNode reader = find(deploy, "RoleBinding", "ippool-apiserver-auth-reader");
    assertEquals("kube-system", reader.path("metadata").path("namespace").asText());
    assertBinding(reader, "Role", "extension-apiserver-authentication-reader");
  }

  @Test
  void userRoles_aggregateIntoAdminEditAndView() {
    JsonNode edit = find(deploy, "ClusterRole", "ippool:spiderpool-edit");
    JsonNode labels = edit.path("metadata").path("labels");
    assertEquals("true", labels.path("rbac.authorization.k8s.io/aggregate-to-admin").asText());
    assertEquals("true", labels.path("rbac.authorization.k8s.io/aggregate-to-edit").asText());
    for (String r : List.of("spiderippools", "spiderreservedips", "spidersubnets", "spidercoordinators",
        "spiderendpoints", "spidermultusconfigs")) {
      assertRule(edit, "spiderpool.spidernet.io", r, "get", "list", "watch", "create", "update", "patch", "delete");
    }
    JsonNode view = find(deploy, "ClusterRole", "ippool:spiderpool-view");
    assertEquals("true", view.path("metadata").path("labels").path("rbac.authorization.k8s.io/aggregate-to-view")
        .asText());
    for (JsonNode rule : view.path("rules")) {
      assertEquals(List.of("get", "list", "watch"), texts(rule.path("verbs")), "view is read-only");
    }
  }

  @Test
  void postgres_statefulSetServiceAndSecretFitTogether() {
    JsonNode sts = find(deploy, "StatefulSet", "ippool-postgres");
    assertEquals(1, sts.path("spec").path("replicas").asInt());
    JsonNode c = container(sts.path("spec").path("template"), "postgres");
    assertEquals(5432, c.path("ports").get(0).path("containerPort").asInt());
    assertEquals("ippool-database", env(c, "POSTGRES_PASSWORD").path("valueFrom").path("secretKeyRef")
        .path("name").asText());
    JsonNode svc = find(deploy, "Service", "ippool-postgres");
    assertEquals(5432, svc.path("spec").path("ports").get(0).path("port").asInt());
    svc.path("spec").path("selector").fields().forEachRemaining(e -> assertEquals(e.getValue().asText(),
        sts.path("spec").path("template").path("metadata").path("labels").path(e.getKey()).asText()));
  }

  @Test
  void cniDaemonSet_installsPluginAndConflistOnTheHost() throws Exception {
    JsonNode ds = find(deploy, "DaemonSet", "ippool-cni");
    JsonNode pod = ds.path("spec").path("template").path("spec");
    assertEquals("/opt/cni/bin", volume(pod, "cni-bin").path("hostPath").path("path").asText());
    assertEquals("/etc/cni/net.d", volume(pod, "cni-net").path("hostPath").path("path").asText());
    JsonNode install = pod.path("initContainers").get(0);
    assertEquals("ghcr.io/ippool/ippool-apiserver:0.1.0", install.path("image").asText());
    String script = String.join(" ", texts(install.path("command")));
    assertTrue(script.contains("/opt/ippool/cni/ippool-cni"), script);
    assertTrue(script.contains("/host/opt/cni/bin/ippool-cni"), script);
    // The launcher alone is useless on a node: the jar and a Java runtime go with it.
    assertTrue(script.contains("/host/opt/cni/bin/ippool-cni.jar"), script);
    assertTrue(script.contains("/opt/ippool/cni-jre/bin/java > /host/opt/cni/bin/.ippool-cni.java.tmp"), script);
    assertEquals("Exists", pod.path("tolerations").get(0).path("operator").asText(), "every node, tainted too");
    JsonNode conflist = new ObjectMapper().readTree(find(deploy, "ConfigMap", "ippool-cni-config").path("data")
        .path("ippool.conflist").asText());
    JsonNode ipam = conflist.path("plugins").get(0).path("ipam");
    assertEquals("ippool-cni", ipam.path("type").asText());
    assertEquals("/var/run/spidernet/spiderpool.sock", ipam.path("ipam_unix_socket_path").asText(),
        "the plugin calls the node agent");
    assertTrue(ipam.path("kubeconfig").isMissingNode(), "no per-node kubeconfig is needed (nothing creates one)");
  }

  @Test
  void agentDaemonSet_servesSpiderpoolsSocketOnEveryNode_withABoundTokenAndNoDatabase() {
    JsonNode ds = find(deploy, "DaemonSet", "ippool-agent");
    JsonNode template = ds.path("spec").path("template");
    JsonNode pod = template.path("spec");
    assertEquals("ippool-agent", pod.path("serviceAccountName").asText());
    assertFalse(pod.path("automountServiceAccountToken").asBoolean(true), "only the projected, audience-bound token");
    assertTrue(pod.path("hostNetwork").asBoolean(), "works before any pod network exists");
    assertEquals("ClusterFirstWithHostNet", pod.path("dnsPolicy").asText());
    assertEquals("Exists", pod.path("tolerations").get(0).path("operator").asText(), "every node, tainted too");
    assertEquals("/var/run/spidernet", volume(pod, "socket-dir").path("hostPath").path("path").asText());

    JsonNode c = container(template, "agent");
    assertEquals("ghcr.io/ippool/ippool-apiserver:0.1.0", c.path("image").asText());
    List<String> command = texts(c.path("command"));
    assertTrue(command.containsAll(List.of("-jar", "/opt/ippool/ippool-apiserver.jar", "agent")), command.toString());
    assertTrue(command.stream().anyMatch(a -> a.startsWith("-Xmx")), "heap capped: " + command);
    List<String> args = texts(c.path("args"));
    assertTrue(args.contains("--ipam-socket=/var/run/spidernet/spiderpool.sock"), args.toString());
    assertTrue(args.contains("--server=https://ippool-apiserver.ippool-system.svc:443"), args.toString());
    assertEquals("/var/run/spidernet", mountPath(c, "socket-dir"));
    assertEquals("spec.nodeName", env(c, "IPPOOL_NODE_NAME").path("valueFrom").path("fieldRef").path("fieldPath")
        .asText());
    for (JsonNode e : c.path("env")) {
      assertFalse(e.path("name").asText().contains("DATABASE"), "the agent holds no database credentials");
    }

    String credentials = mountPath(c, "credentials");
    assertTrue(args.contains("--token-file=" + credentials + "/token"), args.toString());
    assertTrue(args.contains("--server-ca-file=" + credentials + "/ca.crt"), args.toString());
    JsonNode sources = volume(pod, "credentials").path("projected").path("sources");
    JsonNode token = sources.get(0).path("serviceAccountToken");
    assertEquals("ippool-apiserver", token.path("audience").asText());
    assertEquals("token", token.path("path").asText());
    JsonNode secret = sources.get(1).path("secret");
    assertEquals("ippool-apiserver-tls", secret.path("name").asText());
    assertEquals(1, secret.path("items").size(), "the CA only, never the key");
    assertEquals("ca.crt", secret.path("items").get(0).path("key").asText());

    JsonNode sc = c.path("securityContext");
    assertTrue(sc.path("runAsNonRoot").asBoolean());
    assertTrue(sc.path("readOnlyRootFilesystem").asBoolean());
    assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true));
    assertEquals("/livez", c.path("livenessProbe").path("httpGet").path("path").asText());
    assertEquals("/readyz", c.path("readinessProbe").path("httpGet").path("path").asText());
    assertFalse(c.path("resources").path("requests").path("memory").isMissingNode());
    assertFalse(c.path("resources").path("limits").path("memory").isMissingNode());

    // The server accepts exactly these tokens from exactly this account.
    List<String> serverArgs = texts(container(find(deploy, "Deployment", "ippool-apiserver").path("spec")
        .path("template"), "apiserver").path("args"));
    assertTrue(serverArgs.contains("--authentication-audiences=ippool-apiserver"), serverArgs.toString());
    assertTrue(serverArgs.contains("--ipam-agent-users=system:serviceaccount:" + NS + ":ippool-agent"),
        serverArgs.toString());
  }

  @Test
  void namespace_isLabelledForThePodSecurityItsNodePodsNeed() {
    JsonNode labels = find(deploy, "Namespace", NS).path("metadata").path("labels");
    // hostNetwork and hostPath (agent, CNI installer) are beyond Pod Security's baseline level.
    assertEquals("privileged", labels.path("pod-security.kubernetes.io/enforce").asText());
    assertFalse(labels.path("pod-security.kubernetes.io/warn").isMissingNode());
  }

  @Test
  void primaryIpamExample_runsServerAndPostgresOnTheHostNetwork() throws Exception {
    List<JsonNode> primary = kustomize("examples/deploy-primary-ipam");
    assertTrue(ids(primary).contains("DaemonSet/" + NS + "/ippool-agent"));
    JsonNode server = find(primary, "Deployment", "ippool-apiserver").path("spec").path("template");
    assertTrue(server.path("spec").path("hostNetwork").asBoolean());
    assertEquals("ClusterFirstWithHostNet", server.path("spec").path("dnsPolicy").asText());
    JsonNode c = container(server, "apiserver");
    assertTrue(texts(c.path("args")).contains("--secure-port=6643"), "kube-apiserver owns 6443 on the host");
    assertEquals(6643, c.path("ports").get(0).path("containerPort").asInt());
    assertTrue(find(primary, "StatefulSet", "ippool-postgres").path("spec").path("template").path("spec")
        .path("hostNetwork").asBoolean());
    assertEquals("05-ippool.conflist", env(find(primary, "DaemonSet", "ippool-cni").path("spec").path("template")
        .path("spec").path("initContainers").get(0), "CONFLIST_NAME").path("value").asText());
  }

  @Test
  void productionExample_swapsInCloudNativePgAndCertManager() throws Exception {
    List<JsonNode> prod = kustomize("examples/deploy-production");
    Set<String> ids = ids(prod);
    assertFalse(ids.contains("StatefulSet/ippool-system/ippool-postgres"));
    assertFalse(ids.contains("Secret/ippool-system/ippool-database"));
    assertTrue(ids.contains("Cluster/ippool-system/ippool-postgres"), ids.toString());
    JsonNode ref = env(container(find(prod, "Deployment", "ippool-apiserver").path("spec").path("template"),
        "apiserver"), "IPPOOL_DATABASE_URL").path("valueFrom").path("secretKeyRef");
    assertEquals("ippool-postgres-app", ref.path("name").asText(), "CloudNativePG's <cluster>-app Secret");
    assertEquals("uri", ref.path("key").asText());

    String inject = find(prod, "APIService", "v2beta1.spiderpool.spidernet.io").path("metadata").path("annotations")
        .path("cert-manager.io/inject-ca-from").asText();
    assertEquals(NS + "/ippool-apiserver", inject);
    JsonNode cert = find(prod, "Certificate", "ippool-apiserver");
    assertEquals("ippool-apiserver-tls", cert.path("spec").path("secretName").asText());
    assertTrue(texts(cert.path("spec").path("dnsNames")).contains("ippool-apiserver.ippool-system.svc"),
        "kube-apiserver verifies the name <service>.<namespace>.svc");
  }

  @Test
  void apiserviceDirectory_rendersOnItsOwn() throws Exception {
    assertEquals(10, kustomize("apiservice").size());
  }

  // --- helpers ---

  private static void assertProbe(JsonNode probe, String path) {
    JsonNode get = probe.path("httpGet");
    assertEquals(path, get.path("path").asText());
    assertEquals("HTTPS", get.path("scheme").asText());
    assertEquals("https", get.path("port").asText());
  }

  private static void assertRule(JsonNode role, String group, String resource, String... verbs) {
    for (JsonNode rule : role.path("rules")) {
      if (texts(rule.path("apiGroups")).contains(group) && texts(rule.path("resources")).contains(resource)
          && texts(rule.path("verbs")).containsAll(List.of(verbs))) {
        return;
      }
    }
    throw new AssertionError(id(role) + " does not allow " + List.of(verbs) + " on " + group + "/" + resource);
  }

  private static void assertBinding(JsonNode binding, String roleKind, String roleName) {
    assertEquals(roleKind, binding.path("roleRef").path("kind").asText());
    assertEquals(roleName, binding.path("roleRef").path("name").asText());
    JsonNode subject = binding.path("subjects").get(0);
    assertEquals("ServiceAccount", subject.path("kind").asText());
    assertEquals("ippool-apiserver", subject.path("name").asText());
    assertEquals(NS, subject.path("namespace").asText());
  }

  private static JsonNode container(JsonNode podTemplate, String name) {
    return named(podTemplate.path("spec").path("containers"), name);
  }

  private static JsonNode volume(JsonNode podSpec, String name) {
    return named(podSpec.path("volumes"), name);
  }

  private static JsonNode env(JsonNode container, String name) {
    return named(container.path("env"), name);
  }

  private static String mountPath(JsonNode container, String volume) {
    return named(container.path("volumeMounts"), volume).path("mountPath").asText();
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

  private static JsonNode find(List<JsonNode> objects, String kind, String name) {
    for (JsonNode o : objects) {
      if (kind.equals(o.path("kind").asText()) && name.equals(o.path("metadata").path("name").asText())) {
        return o;
      }
    }
    throw new AssertionError("no " + kind + " " + name);
  }

  private static Set<String> ids(List<JsonNode> objects) {
    Set<String> ids = new TreeSet<>();
    objects.forEach(o -> ids.add(id(o)));
    return ids;
  }

  private static String id(JsonNode o) {
    return o.path("kind").asText() + "/" + o.path("metadata").path("namespace").asText("") + "/"
        + o.path("metadata").path("name").asText();
  }

  private static List<JsonNode> kustomize(String dir) throws Exception {
    Process p = new ProcessBuilder("kubectl", "kustomize", ROOT.resolve(dir).toString())
        .redirectErrorStream(false).start();
    // Output is small (tens of KB), so reading stdout to the end before stderr cannot deadlock.
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize timed out");
    assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + ": " + new String(err, StandardCharsets.UTF_8));
    List<JsonNode> objects = new ArrayList<>();
    var docs = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(out);
    while (docs.hasNext()) {
      JsonNode n = docs.next();
      if (n != null && n.isObject()) {
        objects.add(n);
      }
    }
    return objects;
  }

  private static boolean onPath(String exe) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, exe).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
