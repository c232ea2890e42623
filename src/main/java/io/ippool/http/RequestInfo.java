package io.ippool.http;

import java.util.List;

/**
 * What a request is about, parsed from method and path as k8s.io/apiserver's RequestInfoFactory does;
 * authorization and routing both use it.
 */
public record RequestInfo(boolean resourceRequest, String verb, String apiGroup, String apiVersion,
                          String namespace, String resource, String name, String subresource, String path) {

  public static final String PREFIX = "/apis/";

  public static RequestInfo parse(String method, String path, String watchParam) {
    String lowerVerb = method.toLowerCase();
    if (!path.startsWith(PREFIX)) {
      return nonResource(lowerVerb, path);
    }
    List<String> parts = List.of(path.substring(PREFIX.length()).split("/"));
    if (parts.size() < 3 || parts.get(2).isEmpty()) {
      return nonResource(lowerVerb, path);
    }
    String group = parts.get(0);
    String version = parts.get(1);
    List<String> rest = parts.subList(2, parts.size());
    boolean legacyWatch = false;
    if (rest.get(0).equals("watch")) {
      legacyWatch = true;
      rest = rest.subList(1, rest.size());
    }
    String namespace = "";
    if (rest.size() >= 2 && rest.get(0).equals("namespaces")) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
      if (rest.isEmpty()) {
        // /namespaces/<ns> itself would be the namespace object, which we do not serve.
        return new RequestInfo(true, lowerVerb, group, version, "", "namespaces", namespace, "", path);
      }
    }
    String resource = rest.isEmpty() ? "" : rest.get(0);
    String name = rest.size() > 1 ? rest.get(1) : "";
    String sub = rest.size() > 2 ? String.join("/", rest.subList(2, rest.size())) : "";
    String verb = switch (method) {
      case "GET", "HEAD" -> name.isEmpty() ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name.isEmpty() ? "deletecollection" : "delete";
      default -> lowerVerb;
    };
    if (legacyWatch || (verb.equals("list") && QueryFlags.isTrue(watchParam))) {
      verb = "watch";
    }
    return new RequestInfo(true, verb, group, version, namespace, resource, name, sub, path);
  }

  private static RequestInfo nonResource(String verb, String path) {
    return new RequestInfo(false, verb, "", "", "", "", "", "", path);
  }
}
