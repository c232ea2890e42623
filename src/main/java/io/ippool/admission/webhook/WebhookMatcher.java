package io.ippool.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.ippool.api.LabelSelectorMatch;
import io.ippool.api.ResourceKind;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether a webhook's rules cover a request, following k8s.io/apiserver's webhook predicates: operations,
 * apiGroups, apiVersions, resources (with "*", "resource/*", "*&#47;sub" and "*&#47;*") and scope. matchPolicy
 * Equivalent matches nothing more than Exact here because the group serves a single version.
 */
final class WebhookMatcher {
  private WebhookMatcher() {
  }

  static boolean rulesMatch(JsonNode webhook, ResourceKind kind, String operation, String subresource,
                            String namespace) {
    for (JsonNode rule : webhook.path("rules")) {
      if (ruleMatches(rule, kind, operation, subresource, namespace)) {
        return true;
      }
    }
    return false;
  }

  private static boolean ruleMatches(JsonNode rule, ResourceKind kind, String operation, String subresource,
                                     String namespace) {
    return anyOf(rule.path("operations"), operation)
        && anyOf(rule.path("apiGroups"), kind.group())
        && anyOf(rule.path("apiVersions"), kind.version())
        && resourceMatches(rule.path("resources"), kind.plural(), subresource)
        && scopeMatches(rule.path("scope").asText("*"), namespace);
  }

  private static boolean anyOf(JsonNode list, String value) {
    for (JsonNode v : list) {
      if (v.asText().equals("*") || v.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean resourceMatches(JsonNode resources, String resource, String subresource) {
    String full = subresource.isEmpty() ? resource : resource + "/" + subresource;
    for (JsonNode r : resources) {
      String s = r.asText();
      if (s.equals("*/*") || s.equals(full)) {
        return true;
      }
      // "*" covers every resource but none of their subresources.
      if (s.equals("*") && subresource.isEmpty()) {
        return true;
      }
      if (s.equals(resource + "/*") && !subresource.isEmpty()) {
        return true;
      }
      if (!subresource.isEmpty() && s.equals("*/" + subresource)) {
        return true;
      }
    }
    return false;
  }

  private static boolean scopeMatches(String scope, String namespace) {
    return switch (scope) {
      case "Cluster" -> namespace.isEmpty();
      case "Namespaced" -> !namespace.isEmpty();
      default -> true;
    };
  }

  /**
   * metav1.LabelSelector semantics: a missing selector matches everything, an empty one too (webhooks differ
   * from most selectors there); an unknown operator matches nothing.
   */
  static boolean selectorMatches(JsonNode selector, JsonNode labels) {
    if (selector == null || !selector.isObject()) {
      return true;
    }
    Map<String, String> byKey = new HashMap<>();
    if (labels != null) {
      labels.fields().forEachRemaining(e -> {
        if (!e.getValue().isNull()) {
          byKey.put(e.getKey(), e.getValue().asText());
        }
      });
    }
    return LabelSelectorMatch.matches(selector, byKey);
  }
}
