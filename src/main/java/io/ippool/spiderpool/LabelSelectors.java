package io.ippool.spiderpool;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** metav1.LabelSelector matching (LabelSelectorAsSelector semantics: an empty selector selects everything). */
final class LabelSelectors {
  private LabelSelectors() {
  }

  /** True when the selector is set (non-null JSON object). */
  static boolean isSet(JsonNode selector) {
    return selector != null && selector.isObject();
  }

  static boolean matches(JsonNode selector, Map<String, String> labels) {
    JsonNode ml = selector.path("matchLabels");
    if (ml.isObject()) {
      var it = ml.fields();
      while (it.hasNext()) {
        var e = it.next();
        if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    JsonNode exprs = selector.path("matchExpressions");
    if (exprs.isArray()) {
      for (JsonNode ex : exprs) {
        String key = ex.path("key").asText();
        Set<String> values = new HashSet<>();
        ex.path("values").forEach(v -> values.add(v.asText()));
        String op = ex.path("operator").asText();
        boolean has = labels.containsKey(key);
        boolean ok = switch (op) {
          case "In" -> has && values.contains(labels.get(key));
          case "NotIn" -> !has || !values.contains(labels.get(key));
          case "Exists" -> has;
          case "DoesNotExist" -> !has;
          default -> false;
        };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }
}
