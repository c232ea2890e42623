package io.ippool.agent;

import io.ippool.api.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * An {@link Upstream} from a kubeconfig's current context (standalone agents, tests): the cluster's
 * {@code server}, {@code certificate-authority(-data)}, {@code tls-server-name}, and the user's {@code token},
 * {@code tokenFile} or {@code client-certificate(-data)} with {@code client-key(-data)}. Paths are relative to
 * the kubeconfig, as kubectl reads them.
 */
public final class KubeconfigUpstream {
  private KubeconfigUpstream() {
  }

  public static Upstream load(Path kubeconfig, URI serverOverride) throws IOException {
    JsonNode root = Json.YAML.readTree(kubeconfig.toFile());
    if (root == null || !root.isObject()) {
      throw new IOException("kubeconfig " + kubeconfig + " is not a YAML map");
    }
    String contextName = root.path("current-context").asText("");
    JsonNode context = named(root, "contexts", contextName, "context", kubeconfig);
    JsonNode cluster = named(root, "clusters", context.path("cluster").asText(""), "cluster", kubeconfig);
    JsonNode user = named(root, "users", context.path("user").asText(""), "user", kubeconfig);
    Path dir = kubeconfig.toAbsolutePath().getParent();
    URI server = serverOverride != null ? serverOverride : URI.create(cluster.path("server").asText(""));
    if (!"https".equals(server.getScheme())) {
      throw new IOException("kubeconfig " + kubeconfig + ": server " + server + " is not an https:// URL");
    }
    String ca = material(cluster, "certificate-authority", dir);
    String cert = material(user, "client-certificate", dir);
    String key = material(user, "client-key", dir);
    String token = user.path("token").asText(null);
    TokenFile tokenFile = null;
    if (token == null && user.hasNonNull("tokenFile")) {
      tokenFile = new TokenFile(dir.resolve(user.path("tokenFile").asText()));
    }
    if (token == null && tokenFile == null && (cert == null || key == null)) {
      throw new IOException("kubeconfig " + kubeconfig + ": user has neither a token nor a client certificate "
          + "and key");
    }
    return new Upstream(server, ca, tokenFile, token, cert, key, cluster.path("tls-server-name").asText(null));
  }

  private static JsonNode named(JsonNode root, String list, String name, String field, Path file)
      throws IOException {
    for (JsonNode n : root.path(list)) {
      if (name.equals(n.path("name").asText())) {
        return n.path(field);
      }
    }
    throw new IOException("kubeconfig " + file + ": no " + field + " named \"" + name + "\" (current-context)");
  }

  /** {@code key-data} (base64) or the file {@code key} names, as PEM text; null when neither is set. */
  private static String material(JsonNode node, String key, Path dir) throws IOException {
    if (node.hasNonNull(key + "-data")) {
      return new String(Base64.getDecoder().decode(node.path(key + "-data").asText().trim()),
          StandardCharsets.UTF_8);
    }
    if (node.hasNonNull(key)) {
      return Files.readString(dir.resolve(node.path(key).asText()));
    }
    return null;
  }
}
