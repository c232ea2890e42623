package io.ippool.registry.selector;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Field selectors as kube-apiserver supports them for custom resources: only metadata.name (and
 * metadata.namespace for namespaced kinds), with =, == and !=. As in k8s.io/apimachinery/pkg/fields, empty
 * terms are skipped, a term splits at its first operator, and a value may escape {@code \ , =} with a backslash
 * (unescaped {@code ,} and {@code =} are refused in a value).
 */
public final class FieldSelector {
  private record Term(String field, boolean equal, String value) {
  }

  private final List<Term> terms;

  private FieldSelector(List<Term> terms) {
    this.terms = terms;
  }

  public static final FieldSelector EVERYTHING = new FieldSelector(List.of());

  /** @throws IllegalArgumentException with kube's wording, for a 400 answer */
  public static FieldSelector parse(String s, boolean namespaced) {
    if (s == null || s.isBlank()) {
      return EVERYTHING;
    }
    List<Term> terms = new ArrayList<>();
    for (String part : splitTerms(s)) {
      if (part.isEmpty()) {
        continue;
      }
      Term t = term(part);
      if (t == null) {
        throw new IllegalArgumentException("invalid selector: '" + s + "'; can't understand '" + part + "'");
      }
      if (!t.field.equals("metadata.name") && !(namespaced && t.field.equals("metadata.namespace"))) {
        throw new IllegalArgumentException("field label not supported: " + t.field);
      }
      terms.add(t);
    }
    return terms.isEmpty() ? EVERYTHING : new FieldSelector(terms);
  }

  public boolean matches(ObjectNode obj) {
    for (Term t : terms) {
      String actual = obj.path("metadata").path(t.field.substring("metadata.".length())).asText("");
      if (actual.equals(t.value) != t.equal) {
        return false;
      }
    }
    return true;
  }

  /** The name this selector pins down exactly, if any (authorization uses it as the request name). */
  public String exactName() {
    for (Term t : terms) {
      if (t.equal && t.field.equals("metadata.name")) {
        return t.value;
      }
    }
    return null;
  }

  /** Splits at commas that are not escaped by a backslash. */
  private static List<String> splitTerms(String s) {
    List<String> out = new ArrayList<>();
    int start = 0;
    boolean escaped = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == ',') {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  /** The term split at the leftmost operator ("!=", "==" or "="), or null when it has none. */
  private static Term term(String part) {
    for (int i = 0; i < part.length(); i++) {
      if (part.startsWith("!=", i)) {
        return new Term(part.substring(0, i).trim(), false, unescape(part.substring(i + 2).trim()));
      }
      if (part.startsWith("==", i)) {
        return new Term(part.substring(0, i).trim(), true, unescape(part.substring(i + 2).trim()));
      }
      if (part.charAt(i) == '=') {
        return new Term(part.substring(0, i).trim(), true, unescape(part.substring(i + 1).trim()));
      }
    }
    return null;
  }

  private static String unescape(String v) {
    StringBuilder out = new StringBuilder(v.length());
    boolean escaped = false;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (escaped) {
        if (c != '\\' && c != ',' && c != '=') {
          throw new IllegalArgumentException("invalid field selector: invalid escape sequence: \\" + c);
        }
        out.append(c);
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == ',' || c == '=') {
        throw new IllegalArgumentException("invalid field selector: unescaped character in value: " + c);
      } else {
        out.append(c);
      }
    }
    if (escaped) {
      throw new IllegalArgumentException("invalid field selector: invalid escape sequence: \\");
    }
    return out.toString();
  }
}
