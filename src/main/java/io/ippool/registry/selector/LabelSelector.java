package io.ippool.registry.selector;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The label selector grammar of k8s.io/apimachinery/pkg/labels: {@code k=v}, {@code k==v}, {@code k!=v},
 * {@code k in (a,b)}, {@code k notin (a,b)}, {@code k}, {@code !k}, comma-separated (AND).
 */
public final class LabelSelector {
  private enum Op { EQ, NEQ, IN, NOTIN, EXISTS, NOT_EXISTS }

  private record Requirement(String key, Op op, Set<String> values) {
    boolean matches(JsonNode labels) {
      JsonNode v = labels == null ? null : labels.get(key);
      boolean has = v != null && !v.isNull();
      String s = has ? v.asText() : null;
      return switch (op) {
        case EXISTS -> has;
        case NOT_EXISTS -> !has;
        case EQ, IN -> has && values.contains(s);
        case NEQ, NOTIN -> !has || !values.contains(s);
      };
    }
  }

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  public static final LabelSelector EVERYTHING = new LabelSelector(List.of());

  public boolean isEmpty() {
    return requirements.isEmpty();
  }

  /** @throws IllegalArgumentException with a message worded for a 400 answer */
  public static LabelSelector parse(String s) {
    if (s == null || s.isBlank()) {
      return EVERYTHING;
    }
    List<Requirement> reqs = new ArrayList<>();
    for (String part : splitTopLevel(s)) {
      String p = part.trim();
      if (p.isEmpty()) {
        throw new IllegalArgumentException("unable to parse requirement: found '', expected: identifier");
      }
      reqs.add(requirement(p));
    }
    return new LabelSelector(reqs);
  }

  public boolean matches(JsonNode labels) {
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  private static Requirement requirement(String p) {
    if (p.startsWith("!")) {
      return new Requirement(key(p.substring(1).trim()), Op.NOT_EXISTS, Set.of());
    }
    String lower = p.replaceAll("\\s+", " ");
    int notin = lower.indexOf(" notin ");
    int in = lower.indexOf(" in ");
    if (notin > 0 || in > 0) {
      boolean isNot = notin > 0;
      int at = isNot ? notin : in;
      String key = key(lower.substring(0, at).trim());
      String rest = lower.substring(at + (isNot ? 7 : 4)).trim();
      if (!rest.startsWith("(") || !rest.endsWith(")")) {
        throw new IllegalArgumentException("unable to parse requirement: found '" + rest + "', expected: '('");
      }
      Set<String> values = new TreeSet<>();
      for (String v : rest.substring(1, rest.length() - 1).split(",")) {
        values.add(value(v.trim()));
      }
      return new Requirement(key, isNot ? Op.NOTIN : Op.IN, values);
    }
    int neq = p.indexOf("!=");
    if (neq > 0) {
      return new Requirement(key(p.substring(0, neq).trim()), Op.NEQ, Set.of(value(p.substring(neq + 2).trim())));
    }
    int eq = p.indexOf('=');
    if (eq > 0) {
      int valueStart = p.startsWith("=", eq + 1) ? eq + 2 : eq + 1;
      return new Requirement(key(p.substring(0, eq).trim()), Op.EQ, Set.of(value(p.substring(valueStart).trim())));
    }
    return new Requirement(key(p), Op.EXISTS, Set.of());
  }

  private static String key(String k) {
    if (!k.matches("([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
        + "[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?") || k.length() > 316) {
      throw new IllegalArgumentException("unable to parse requirement: invalid label key \"" + k
          + "\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with"
          + " an alphanumeric character");
    }
    return k;
  }

  private static String value(String v) {
    if (!v.isEmpty() && (v.length() > 63 || !v.matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"))) {
      throw new IllegalArgumentException("unable to parse requirement: invalid label value: \"" + v
          + "\": at key: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or"
          + " '.', and must start and end with an alphanumeric character");
    }
    return v;
  }

  /** Splits on commas that are not inside parentheses. */
  private static List<String> splitTopLevel(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }
}
