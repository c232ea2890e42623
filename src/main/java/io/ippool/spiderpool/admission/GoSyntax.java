package io.ippool.spiderpool.admission;

import io.ippool.spiderpool.SpecReader;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Go's {@code %#v} text of a metav1.LabelSelector, which apimachinery prints as the bad value of
 * Spiderpool's podAffinity errors (LabelSelector has no value-receiver String method).
 */
final class GoSyntax {
  private GoSyntax() {
  }

  static String labelSelector(JsonNode sel) {
    StringBuilder b = new StringBuilder("v1.LabelSelector{MatchLabels:");
    JsonNode ml = sel.get("matchLabels");
    if (ml == null || !ml.isObject()) {
      b.append("map[string]string(nil)");
    } else {
      Map<String, String> sorted = new TreeMap<>(); // fmt prints maps sorted by key
      for (Iterator<Map.Entry<String, JsonNode>> it = ml.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        sorted.put(e.getKey(), SpecReader.text(e.getValue()));
      }
      b.append("map[string]string{");
      boolean first = true;
      for (Map.Entry<String, String> e : sorted.entrySet()) {
        b.append(first ? "" : ", ").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
        first = false;
      }
      b.append('}');
    }
    b.append(", MatchExpressions:");
    JsonNode me = sel.get("matchExpressions");
    if (me == null || !me.isArray()) {
      b.append("[]v1.LabelSelectorRequirement(nil)");
    } else {
      b.append("[]v1.LabelSelectorRequirement{");
      for (int i = 0; i < me.size(); i++) {
        JsonNode r = me.get(i);
        b.append(i == 0 ? "" : ", ").append("v1.LabelSelectorRequirement{Key:").append(quote(SpecReader.text(r.path("key"))))
            .append(", Operator:").append(quote(SpecReader.text(r.path("operator")))).append(", Values:");
        JsonNode vs = r.get("values");
        if (vs == null || !vs.isArray()) {
          b.append("[]string(nil)");
        } else {
          List<String> values = SpecReader.texts(vs);
          b.append("[]string{");
          for (int j = 0; j < values.size(); j++) {
            b.append(j == 0 ? "" : ", ").append(quote(values.get(j)));
          }
          b.append('}');
        }
        b.append('}');
      }
      b.append('}');
    }
    return b.append('}').toString();
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
