package io.ippool.registry.selector;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Field selectors as kube-apiserver supports them for custom resources: only metadata.name (and
 * metadata.namespace for namespaced kinds), with =, == and !=.
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
    for (String part : s.split(",")) {
      String p = part.trim();
      int neq = p.indexOf("!=");
      int eq = p.indexOf('=');
      if (neq < 0 && eq < 0) {
        throw new IllegalArgumentException("invalid selector: '" + s + "'; can't understand '" + p + "'");
      }
      boolean equal = neq < 0;
      int at = equal ? eq : neq;
      String field = p.substring(0, at).trim();
      String value = p.substring(at + (equal ? (p.startsWith("==", eq) ? 2 : 1) : 2)).trim();
      if (!field.equals("metadata.name") && !(namespaced && field.equals("metadata.namespace"))) {
        throw new IllegalArgumentException("field label not supported: " + field);
      }
      terms.add(new Term(field, equal, value));
    }
    return new FieldSelector(terms);
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
}
