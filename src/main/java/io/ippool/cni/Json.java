package io.ippool.cni;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal JSON reader and writer. The plugin is exec'd once per pod network operation, so it may
 * not pull in Jackson: every class loaded costs start-up time. Objects become {@link LinkedHashMap}
 * (key order kept, so output is stable), arrays {@link ArrayList}, numbers {@link BigDecimal}
 * (exact, and the plugin only needs small integers), plus String, Boolean and null.
 */
final class Json {
  private final String s;
  private int i;

  private Json(String s) {
    this.s = s;
  }

  /** Parses one JSON value; trailing non-whitespace is an error, as in Go's json.Unmarshal. */
  static Object parse(String text) {
    Json p = new Json(text);
    p.ws();
    Object v = p.value(0);
    p.ws();
    if (p.i != text.length()) {
      throw p.error("unexpected trailing data");
    }
    return v;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at offset " + i);
  }

  private void ws() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      i++;
    }
  }

  private Object value(int depth) {
    // Deep nesting only comes from hostile or broken input; refuse before the stack does.
    if (depth > 64) {
      throw error("nesting too deep");
    }
    if (i >= s.length()) {
      throw error("unexpected end of input");
    }
    char c = s.charAt(i);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character '" + c + "'");
    }
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, i)) {
      throw error("invalid literal");
    }
    i += word.length();
    return v;
  }

  private Map<String, Object> object(int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    i++;
    ws();
    if (peek() == '}') {
      i++;
      return m;
    }
    while (true) {
      ws();
      if (peek() != '"') {
        throw error("expected object key");
      }
      String k = string();
      ws();
      if (peek() != ':') {
        throw error("expected ':'");
      }
      i++;
      ws();
      m.put(k, value(depth + 1));
      ws();
      char c = peek();
      i++;
      if (c == '}') {
        return m;
      }
      if (c != ',') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) {
    List<Object> a = new ArrayList<>();
    i++;
    ws();
    if (peek() == ']') {
      i++;
      return a;
    }
    while (true) {
      ws();
      a.add(value(depth + 1));
      ws();
      char c = peek();
      i++;
      if (c == ']') {
        return a;
      }
      if (c != ',') {
        throw error("expected ',' or ']'");
      }
    }
  }

  private char peek() {
    if (i >= s.length()) {
      throw error("unexpected end of input");
    }
    return s.charAt(i);
  }

  private String string() {
    i++; // opening quote
    StringBuilder b = new StringBuilder();
    while (true) {
      char c = peek();
      i++;
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        throw error("control character in string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = peek();
      i++;
      switch (e) {
        case '"': b.append('"'); break;
        case '\\': b.append('\\'); break;
        case '/': b.append('/'); break;
        case 'b': b.append('\b'); break;
        case 'f': b.append('\f'); break;
        case 'n': b.append('\n'); break;
        case 'r': b.append('\r'); break;
        case 't': b.append('\t'); break;
        case 'u':
          if (i + 4 > s.length()) {
            throw error("short unicode escape");
          }
          try {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          } catch (NumberFormatException ex) {
            throw error("bad unicode escape");
          }
          i += 4;
          break;
        default:
          throw error("bad escape");
      }
    }
  }

  private BigDecimal number() {
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    try {
      return new BigDecimal(s.substring(start, i));
    } catch (NumberFormatException ex) {
      i = start;
      throw error("invalid number");
    }
  }

  // ---------------------------------------------------------------- writer

  /** Compact JSON text of a tree built from Map, List, String, Number, Boolean and null. */
  static String write(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v);
    return b.toString();
  }

  private static void write(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String) {
      quote(b, (String) v);
    } else if (v instanceof BigDecimal) {
      b.append(((BigDecimal) v).toPlainString());
    } else if (v instanceof Number || v instanceof Boolean) {
      b.append(v);
    } else if (v instanceof Map) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        quote(b, String.valueOf(e.getKey()));
        b.append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof List) {
      b.append('[');
      boolean first = true;
      for (Object o : (List<?>) v) {
        if (!first) {
          b.append(',');
        }
        first = false;
        write(b, o);
      }
      b.append(']');
    } else {
      throw new IllegalArgumentException("not a JSON value: " + v.getClass());
    }
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
  }

  // ---------------------------------------------------------------- typed access

  /** The object itself, or an error naming {@code what}; null stays null. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object v, String what) {
    if (v == null || v instanceof Map) {
      return (Map<String, Object>) v;
    }
    throw new IllegalArgumentException(what + " must be an object");
  }

  @SuppressWarnings("unchecked")
  static List<Object> array(Object v, String what) {
    if (v == null || v instanceof List) {
      return (List<Object>) v;
    }
    throw new IllegalArgumentException(what + " must be an array");
  }

  static String string(Object v, String what) {
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new IllegalArgumentException(what + " must be a string");
  }

  static boolean bool(Object v, String what) {
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean) {
      return (Boolean) v;
    }
    throw new IllegalArgumentException(what + " must be a boolean");
  }

  static List<String> strings(Object v, String what) {
    List<String> out = new ArrayList<>();
    List<Object> a = array(v, what);
    if (a != null) {
      for (Object o : a) {
        if (!(o instanceof String)) {
          throw new IllegalArgumentException(what + " must be an array of strings");
        }
        out.add((String) o);
      }
    }
    return out;
  }
}
