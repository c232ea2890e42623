package io.ippool.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The subset of client-go's JSONPath that printer columns use: {@code .field}, {@code .a\.b} (escaped dots),
 * {@code [n]} (negative counts from the end) and {@code ['key']} / {@code ["key"]} with backslash escapes
 * removed, as client-go's parser does. Missing keys yield no result (the CRD handler allows missing keys).
 */
final class JsonPath {
  private sealed interface Step permits Field, Index {
  }

  private record Field(String name) implements Step {
  }

  private record Index(int index) implements Step {
  }

  private final String source;
  private final List<Step> steps;

  private JsonPath(String source, List<Step> steps) {
    this.source = source;
    this.steps = steps;
  }

  static JsonPath compile(String path) {
    String p = path.trim();
    if (p.startsWith("{") && p.endsWith("}")) {
      p = p.substring(1, p.length() - 1);
    }
    if (p.startsWith("$")) {
      p = p.substring(1);
    }
    List<Step> steps = new ArrayList<>();
    int i = 0;
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == '.') {
        StringBuilder name = new StringBuilder();
        i++;
        while (i < p.length() && p.charAt(i) != '.' && p.charAt(i) != '[') {
          if (p.charAt(i) == '\\' && i + 1 < p.length()) {
            i++;
          }
          name.append(p.charAt(i++));
        }
        if (name.length() > 0) {
          steps.add(new Field(name.toString()));
        }
      } else if (c == '[') {
        int close = closingBracket(p, i);
        String inner = p.substring(i + 1, close).trim();
        if (inner.length() >= 2 && (inner.charAt(0) == '\'' || inner.charAt(0) == '"')
            && inner.charAt(inner.length() - 1) == inner.charAt(0)) {
          steps.add(new Field(inner.substring(1, inner.length() - 1).replace("\\", "")));
        } else {
          try {
            steps.add(new Index(Integer.parseInt(inner)));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unsupported JSONPath segment [" + inner + "] in " + path);
          }
        }
        i = close + 1;
      } else {
        throw new IllegalArgumentException("unsupported JSONPath " + path);
      }
    }
    return new JsonPath(path, List.copyOf(steps));
  }

  private static int closingBracket(String p, int open) {
    char quote = 0;
    for (int i = open + 1; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '\\') {
        i++;
      } else if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == ']') {
        return i;
      }
    }
    throw new IllegalArgumentException("unterminated [ in JSONPath " + p);
  }

  /** The value at this path, or null when any step is missing (JSON null is returned as a NullNode). */
  JsonNode find(JsonNode root) {
    JsonNode cur = root;
    for (Step s : steps) {
      if (cur == null) {
        return null;
      }
      if (s instanceof Field f) {
        cur = cur.isObject() ? cur.get(f.name()) : null;
      } else {
        int idx = ((Index) s).index();
        if (!cur.isArray()) {
          return null;
        }
        if (idx < 0) {
          idx += cur.size();
        }
        cur = idx >= 0 && idx < cur.size() ? cur.get(idx) : null;
      }
    }
    return cur;
  }

  @Override
  public String toString() {
    return source;
  }
}
