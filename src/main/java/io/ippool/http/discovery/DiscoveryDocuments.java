package io.ippool.http.discovery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.ResourceKind;
import io.ippool.http.Responses;
import io.ippool.http.resource.Kinds;
import io.ippool.registry.KindDefinition;
import java.util.Comparator;
import java.util.List;

/** The discovery documents, built once from the served kinds, in the exact shape the CRD handler serves. */
public final class DiscoveryDocuments {
  /** CRD verb order (a generic aggregated server would sort them). */
  static final List<String> VERBS = List.of("delete", "deletecollection", "get", "list", "patch", "create", "update",
      "watch");
  static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

  private final Kinds kinds;

  /** The served API group. */
  public String group() {
    return kinds.group();
  }

  /** The served "group/version". */
  public String groupVersion() {
    return kinds.groupVersion();
  }

  public DiscoveryDocuments(Kinds kinds) {
    this.kinds = kinds;
  }

  public ObjectNode version() {
    ObjectNode v = Responses.F.objectNode();
    v.put("major", "1");
    v.put("minor", "32");
    v.put("gitVersion", "v1.32.0-ippool");
    v.put("gitCommit", "0000000000000000000000000000000000000000");
    v.put("gitTreeState", "clean");
    v.put("buildDate", "2026-11-26T00:00:00Z");
    v.put("goVersion", "java" + System.getProperty("java.specification.version"));
    v.put("compiler", "javac");
    v.put("platform", System.getProperty("os.name").toLowerCase() + "/" + arch());
    return v;
  }

  public ObjectNode apiVersions() {
    ObjectNode o = Responses.F.objectNode();
    o.put("kind", "APIVersions");
    o.putArray("versions");
    return o;
  }

  public ObjectNode apiGroupList() {
    ObjectNode o = Responses.F.objectNode();
    o.put("kind", "APIGroupList");
    o.put("apiVersion", "v1");
    o.putArray("groups").add(apiGroupBody());
    return o;
  }

  public ObjectNode apiGroup() {
    ObjectNode g = apiGroupBody();
    ObjectNode o = Responses.F.objectNode();
    o.put("kind", "APIGroup");
    o.put("apiVersion", "v1");
    o.setAll(g);
    return o;
  }

  private ObjectNode apiGroupBody() {
    ObjectNode g = Responses.F.objectNode();
    g.put("name", kinds.group());
    ObjectNode gv = Responses.F.objectNode();
    gv.put("groupVersion", kinds.groupVersion());
    gv.put("version", kinds.version());
    g.putArray("versions").add(gv);
    g.set("preferredVersion", gv.deepCopy());
    return g;
  }

  public ObjectNode apiResourceList() {
    ObjectNode o = Responses.F.objectNode();
    o.put("kind", "APIResourceList");
    o.put("apiVersion", "v1");
    o.put("groupVersion", kinds.groupVersion());
    ArrayNode resources = o.putArray("resources");
    for (KindDefinition d : kinds.all()) {
      ResourceKind k = d.kind();
      ObjectNode r = resources.addObject();
      r.put("name", k.plural());
      r.put("singularName", k.singular());
      r.put("namespaced", k.namespaced());
      r.put("kind", k.kind());
      VERBS.forEach(r.putArray("verbs")::add);
      if (!k.shortNames().isEmpty()) {
        k.shortNames().forEach(r.putArray("shortNames")::add);
      }
      if (!k.categories().isEmpty()) {
        k.categories().forEach(r.putArray("categories")::add);
      }
      r.put("storageVersionHash", d.storageVersionHash());
      if (k.hasStatusSubresource()) {
        ObjectNode s = resources.addObject();
        s.put("name", k.plural() + "/status");
        s.put("singularName", "");
        s.put("namespaced", k.namespaced());
        s.put("kind", k.kind());
        STATUS_VERBS.forEach(s.putArray("verbs")::add);
      }
    }
    return o;
  }

  /** Aggregated discovery (apidiscovery.k8s.io v2 or v2beta1) for /apis. */
  public ObjectNode aggregated(String version) {
    ObjectNode o = Responses.F.objectNode();
    o.put("kind", "APIGroupDiscoveryList");
    o.put("apiVersion", "apidiscovery.k8s.io/" + version);
    o.putObject("metadata");
    ObjectNode group = o.putArray("items").addObject();
    group.putObject("metadata").put("name", kinds.group());
    ObjectNode v = group.putArray("versions").addObject();
    v.put("version", kinds.version());
    ArrayNode resources = v.putArray("resources");
    kinds.all().stream().sorted(Comparator.comparing(d -> d.kind().plural())).forEach(d -> {
      ResourceKind k = d.kind();
      ObjectNode r = resources.addObject();
      r.put("resource", k.plural());
      r.set("responseKind", gvk(k));
      r.put("scope", k.namespaced() ? "Namespaced" : "Cluster");
      r.put("singularResource", k.singular());
      VERBS.forEach(r.putArray("verbs")::add);
      if (!k.shortNames().isEmpty()) {
        k.shortNames().forEach(r.putArray("shortNames")::add);
      }
      if (!k.categories().isEmpty()) {
        k.categories().forEach(r.putArray("categories")::add);
      }
      if (k.hasStatusSubresource()) {
        ObjectNode s = r.putArray("subresources").addObject();
        s.put("subresource", "status");
        s.set("responseKind", gvk(k));
        STATUS_VERBS.forEach(s.putArray("verbs")::add);
      }
    });
    v.put("freshness", "Current");
    return o;
  }

  private static ObjectNode gvk(ResourceKind k) {
    ObjectNode g = Responses.F.objectNode();
    g.put("group", k.group());
    g.put("version", k.version());
    g.put("kind", k.kind());
    return g;
  }

  private static String arch() {
    String a = System.getProperty("os.arch");
    return a.equals("x86_64") ? "amd64" : a.equals("aarch64") ? "arm64" : a;
  }
}
