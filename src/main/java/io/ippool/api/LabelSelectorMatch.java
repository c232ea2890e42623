package io.ippool.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Whether labels satisfy a metav1.LabelSelector (matchLabels and matchExpressions, all of them): an empty
 * selector selects everything and an unknown operator matches nothing, as LabelSelectorAsSelector does.
 * Callers decide what a missing selector means.
 */
public final class LabelSelectorMatch {
  private LabelSelectorMatch() {
  }

  public static boolean matches(JsonNode selector, Map<String, String> labels) {
    var it = selector.path("matchLabels").fields();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (JsonNode ex : selector.path("matchExpressions")) {
      String key = ex.path("key").asText();
      Set<String> values = new HashSet<>();
      ex.path("values").forEach(v -> values.add(v.asText()));
      boolean has = labels.containsKey(key);
      boolean ok = switch (ex.path("operator").asText()) {
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
    return true;
  }
}
