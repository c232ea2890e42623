package io.ippool.cni;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The block-YAML subset kubeconfig files use (kubectl, client-go and Jackson all write it):
 * nested mappings, "- " sequences (also at the parent key's indent), plain and quoted scalars, and
 * flow collections that are valid JSON ({@code {}}, {@code []}). Anchors, tags and block scalars
 * are not supported; a JSON kubeconfig is handled by {@link Json} instead.
 */
final class MiniYaml {
  private final List<int[]> indents = new ArrayList<>(); // [indent]
  private final List<String> texts = new ArrayList<>();
  private int pos;

  private MiniYaml(String text) {
    for (String raw : text.split("\r?\n")) {
      String line = stripComment(raw);
      String trimmed = line.trim();
      if (trimmed.isEmpty() || trimmed.equals("---") || trimmed.startsWith("%")) {
        continue;
      }
      int ind = 0;
      while (line.charAt(ind) == ' ') {
        ind++;
      }
      indents.add(new int[] {ind});
      texts.add(line.substring(ind).stripTrailing());
    }
  }

  static Object parse(String text) {
    String t = text.trim();
    if (t.startsWith("{")) {
      return Json.parse(t);
    }
    MiniYaml y = new MiniYaml(text);
    if (y.texts.isEmpty()) {
      return new LinkedHashMap<String, Object>();
    }
    Object v = y.block(y.indent());
    if (y.pos < y.texts.size()) {
      throw new IllegalArgumentException("unexpected indentation at: " + y.texts.get(y.pos));
    }
    return v;
  }

  private static String stripComment(String line) {
    boolean single = false;
    boolean dbl = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'' && !dbl) {
        single = !single;
      } else if (c == '"' && !single) {
        dbl = !dbl;
      } else if (c == '#' && !single && !dbl && (i == 0 || line.charAt(i - 1) == ' ')) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private int indent() {
    return indents.get(pos)[0];
  }

  private static boolean isItem(String t) {
    return t.equals("-") || t.startsWith("- ");
  }

  private Object block(int ind) {
    return isItem(texts.get(pos)) ? sequence(ind) : mapping(ind);
  }

  private Map<String, Object> mapping(int ind) {
    Map<String, Object> m = new LinkedHashMap<>();
    while (pos < texts.size() && indent() == ind && !isItem(texts.get(pos))) {
      String t = texts.get(pos);
      int colon = keyEnd(t);
      if (colon < 0) {
        throw new IllegalArgumentException("expected 'key: value' at: " + t);
      }
      String key = unquote(t.substring(0, colon).trim());
      String rest = t.substring(colon + 1).trim();
      pos++;
      if (!rest.isEmpty()) {
        m.put(key, scalar(rest));
      } else if (pos < texts.size() && indent() > ind) {
        m.put(key, block(indent()));
      } else if (pos < texts.size() && indent() == ind && isItem(texts.get(pos))) {
        m.put(key, sequence(ind));
      } else {
        m.put(key, null);
      }
    }
    return m;
  }

  private List<Object> sequence(int ind) {
    List<Object> l = new ArrayList<>();
    while (pos < texts.size() && indent() == ind && isItem(texts.get(pos))) {
      String t = texts.get(pos);
      String item = t.length() > 1 ? t.substring(2) : "";
      int lead = 0;
      while (lead < item.length() && item.charAt(lead) == ' ') {
        lead++;
      }
      item = item.substring(lead);
      if (item.isEmpty()) {
        pos++;
        l.add(pos < texts.size() && indent() > ind ? block(indent()) : null);
      } else if (keyEnd(item) >= 0) {
        // "- key: v" opens a mapping whose keys sit where "key" starts.
        int inner = ind + 2 + lead;
        indents.get(pos)[0] = inner;
        texts.set(pos, item);
        l.add(mapping(inner));
      } else {
        pos++;
        l.add(scalar(item));
      }
    }
    return l;
  }

  /** Index of the ':' ending a mapping key, or -1 when the text is a plain scalar. */
  private static int keyEnd(String t) {
    if (t.startsWith("\"") || t.startsWith("'")) {
      int close = t.indexOf(t.charAt(0), 1);
      if (close > 0 && close + 1 < t.length() && t.charAt(close + 1) == ':') {
        return close + 1;
      }
      return -1;
    }
    if (t.startsWith("{") || t.startsWith("[")) {
      return -1;
    }
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) == ':' && (i + 1 == t.length() || t.charAt(i + 1) == ' ')) {
        return i;
      }
    }
    return -1;
  }

  private static Object scalar(String s) {
    if (s.startsWith("{") || s.startsWith("[")) {
      return flow(s);
    }
    if (s.startsWith("\"")) {
      return Json.parse(s); // YAML double-quoted escapes used in kubeconfigs are JSON's
    }
    if (s.startsWith("'")) {
      return unquote(s);
    }
    switch (s) {
      case "true": case "True": case "TRUE": return Boolean.TRUE;
      case "false": case "False": case "FALSE": return Boolean.FALSE;
      case "null": case "~": return null;
      default: return s;
    }
  }

  /**
   * Flow collections: JSON, or one level of plain YAML such as {@code {cluster: c, user: u}}
   * (hand-written kubeconfigs use it). Nested flow collections must be JSON.
   */
  private static Object flow(String s) {
    try {
      return Json.parse(s);
    } catch (IllegalArgumentException notJson) {
      boolean map = s.startsWith("{");
      if (!s.endsWith(map ? "}" : "]")) {
        throw notJson;
      }
      String inner = s.substring(1, s.length() - 1).trim();
      Map<String, Object> m = new LinkedHashMap<>();
      List<Object> l = new ArrayList<>();
      if (!inner.isEmpty()) {
        for (String part : inner.split(",")) {
          String t = part.trim();
          if (!map) {
            l.add(scalar(t));
            continue;
          }
          int colon = keyEnd(t);
          if (colon < 0) {
            throw notJson;
          }
          m.put(unquote(t.substring(0, colon).trim()), scalar(t.substring(colon + 1).trim()));
        }
      }
      return map ? m : l;
    }
  }

  private static String unquote(String s) {
    if (s.length() >= 2 && s.startsWith("'") && s.endsWith("'")) {
      return s.substring(1, s.length() - 1).replace("''", "'");
    }
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      return (String) Json.parse(s);
    }
    return s;
  }
}
