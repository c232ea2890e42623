package io.ippool.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough of a kube-apiserver for {@code kubectl apply --dry-run=client}: discovery documents that map each
 * kind a chart renders to its resource and scope (so kubectl checks namespaced vs cluster-scoped, as against a
 * cluster), and 404 for every object, so each one is "created". No kind outside {@link #KINDS} is known:
 * rendering an object of another kind, or a misspelt apiVersion, fails as it would against a real cluster
 * missing that API. Nothing is stored.
 */
final class DiscoveryOnlyApiServer implements AutoCloseable {
  /** group/version to its kinds: kind, plural, namespaced. */
  static final Map<String, List<String[]>> KINDS = new LinkedHashMap<>();

  static {
    KINDS.put("v1", List.<String[]>of(kind("Namespace", "namespaces", false), kind("ServiceAccount", "serviceaccounts", true),
        kind("Service", "services", true), kind("Secret", "secrets", true), kind("ConfigMap", "configmaps", true)));
    KINDS.put("apps/v1", List.<String[]>of(kind("Deployment", "deployments", true), kind("DaemonSet", "daemonsets", true),
        kind("StatefulSet", "statefulsets", true)));
    KINDS.put("policy/v1", List.<String[]>of(kind("PodDisruptionBudget", "poddisruptionbudgets", true)));
    KINDS.put("rbac.authorization.k8s.io/v1", List.<String[]>of(kind("ClusterRole", "clusterroles", false),
        kind("ClusterRoleBinding", "clusterrolebindings", false), kind("Role", "roles", true),
        kind("RoleBinding", "rolebindings", true)));
    KINDS.put("apiregistration.k8s.io/v1", List.<String[]>of(kind("APIService", "apiservices", false)));
    KINDS.put("cert-manager.io/v1", List.<String[]>of(kind("Issuer", "issuers", true), kind("Certificate", "certificates", true)));
    KINDS.put("monitoring.coreos.com/v1", List.<String[]>of(kind("ServiceMonitor", "servicemonitors", true),
        kind("PrometheusRule", "prometheusrules", true)));
    KINDS.put("postgresql.cnpg.io/v1", List.<String[]>of(kind("Cluster", "clusters", true)));
  }

  private final HttpServer http;
  final Path kubeconfig;

  private DiscoveryOnlyApiServer(HttpServer http, Path kubeconfig) {
    this.http = http;
    this.kubeconfig = kubeconfig;
  }

  static DiscoveryOnlyApiServer start(Path dir) throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/", DiscoveryOnlyApiServer::handle);
    http.start();
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: stub, cluster: {server: "http://127.0.0.1:%d"}}]
        users: [{name: stub, user: {}}]
        contexts: [{name: stub, context: {cluster: stub, user: stub}}]
        current-context: stub
        """.formatted(http.getAddress().getPort()));
    return new DiscoveryOnlyApiServer(http, kubeconfig);
  }

  private static String[] kind(String kind, String plural, boolean namespaced) {
    return new String[] {kind, plural, String.valueOf(namespaced)};
  }

  private static void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String body;
    int code = 200;
    if (path.equals("/version")) {
      body = "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0\"}";
    } else if (path.equals("/api")) {
      body = "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[]}";
    } else if (path.equals("/apis")) {
      StringBuilder b = new StringBuilder("{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[");
      String sep = "";
      for (String gv : KINDS.keySet()) {
        if (!gv.contains("/")) {
          continue;
        }
        String group = gv.substring(0, gv.indexOf('/'));
        String gvJson = "{\"groupVersion\":\"" + gv + "\",\"version\":\"" + gv.substring(gv.indexOf('/') + 1) + "\"}";
        b.append(sep).append("{\"name\":\"").append(group).append("\",\"versions\":[").append(gvJson)
            .append("],\"preferredVersion\":").append(gvJson).append('}');
        sep = ",";
      }
      body = b.append("]}").toString();
    } else if (resourceList(path) != null) {
      body = resourceList(path);
    } else {
      code = 404;
      body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404,"
          + "\"message\":\"not found\"}";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(code, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private static String resourceList(String path) {
    String gv = path.equals("/api/v1") ? "v1" : path.startsWith("/apis/") ? path.substring(6) : null;
    List<String[]> kinds = gv == null ? null : KINDS.get(gv);
    if (kinds == null) {
      return null;
    }
    StringBuilder b = new StringBuilder("{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"")
        .append(gv).append("\",\"resources\":[");
    String sep = "";
    for (String[] k : kinds) {
      b.append(sep).append("{\"name\":\"").append(k[1]).append("\",\"singularName\":\"\",\"namespaced\":")
          .append(k[2]).append(",\"kind\":\"").append(k[0]).append("\",\"verbs\":[\"create\",\"delete\",\"get\","
              + "\"list\",\"patch\",\"update\",\"watch\"]}");
      sep = ",";
    }
    return b.append("]}").toString();
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
