package io.ippool.metrics.http;

import io.ippool.spiderpool.Spiderpool;
import io.ippool.api.ResourceKind;
import io.ippool.http.RequestInfo;
import io.micrometer.core.instrument.Tags;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The labels kube-apiserver puts on {@code apiserver_request_*} (k8s.io/apiserver/pkg/endpoints/metrics), worked
 * out once per request so that dashboards written for kube-apiserver read ours unchanged.
 */
record RequestLabels(String verb, String dryRun, String group, String version, String resource, String subresource,
                     String scope) {
  static final String COMPONENT = "apiserver";

  /**
   * @param servedResource whether a plural is one of ours: anything else (a typo, a probe of random paths) is
   *     counted with empty group/version/resource, so no client can create unbounded label values.
   */
  static RequestLabels of(String method, RequestInfo ri, String contentType, boolean dryRun,
                          Predicate<String> servedResource) {
    String verb = verb(method, ri, contentType);
    String dry = dryRun ? "All" : "";
    if (!ri.resourceRequest()) {
      return new RequestLabels(verb, dry, "", "", "", "", "");
    }
    boolean ours = ri.apiGroup().equals(Spiderpool.GROUP) && ri.apiVersion().equals(Spiderpool.VERSION)
        && servedResource.test(ri.resource())
        && (ri.subresource().isEmpty() || ri.subresource().equals("status"));
    if (!ours) {
      return new RequestLabels(verb, dry, "", "", "", "", scope(ri));
    }
    return new RequestLabels(verb, dry, ri.apiGroup(), ri.apiVersion(), ri.resource(), ri.subresource(), scope(ri));
  }

  /** kube's CanonicalVerb then cleanVerb: LIST and WATCH apart from GET, APPLY apart from PATCH. */
  static String verb(String method, RequestInfo ri, String contentType) {
    if (!ri.resourceRequest()) {
      return method.equals("HEAD") ? "GET" : method.toUpperCase(Locale.ROOT);
    }
    return switch (ri.verb()) {
      case "get" -> "GET";
      case "list" -> "LIST";
      case "watch" -> "WATCH";
      case "create" -> "POST";
      case "update" -> "PUT";
      case "patch" -> contentType != null && contentType.startsWith("application/apply-patch") ? "APPLY" : "PATCH";
      case "delete", "deletecollection" -> "DELETE";
      default -> method.toUpperCase(Locale.ROOT);
    };
  }

  /** kube's CleanScope: a create names its object, so it is "resource" scoped as a get is. */
  static String scope(RequestInfo ri) {
    if (!ri.name().isEmpty() || ri.verb().equals("create")) {
      return "resource";
    }
    if (!ri.namespace().isEmpty()) {
      return "namespace";
    }
    return "cluster";
  }

  boolean watch() {
    return verb.equals("WATCH");
  }

  Tags tags() {
    return Tags.of("verb", verb, "dry_run", dryRun, "group", group, "version", version, "resource", resource,
        "subresource", subresource, "scope", scope, "component", COMPONENT);
  }

  /** kube's longrunning gauge carries no dry_run label. */
  Tags longRunningTags() {
    return Tags.of("verb", verb, "group", group, "version", version, "resource", resource,
        "subresource", subresource, "scope", scope, "component", COMPONENT);
  }
}
