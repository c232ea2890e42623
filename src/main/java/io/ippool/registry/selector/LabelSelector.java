package io.ippool.registry.selector;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The label selector grammar of k8s.io/apimachinery/pkg/labels: {@code k=v}, {@code k==v}, {@code k!=v},
 * {@code k in (a,b)}, {@code k notin (a,b)}, {@code k}, {@code !k}, {@code k>1}, {@code k<1}, comma-separated
 * (AND). Whitespace separates tokens but is never required around operators and parentheses
 * ({@code k in(a)} is valid), and an empty element of a set is the empty value ({@code k in (a,)} also
 * matches {@code k=""}).
 */
public final class LabelSelector {
  private enum Op { EQ, NEQ, IN, NOTIN, EXISTS, NOT_EXISTS, GT, LT }

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
        case GT, LT -> has && compares(s);
      };
    }

    /** A label that is not an integer never matches a comparison. */
    private boolean compares(String label) {
      try {
        long actual = Long.parseLong(label);
        long bound = Long.parseLong(values.iterator().next());
        return op == Op.GT ? actual > bound : actual < bound;
      } catch (NumberFormatException e) {
        return false;
      }
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

  /** @throws IllegalArgumentException with a message worded as kube's, for a 400 answer */
  public static LabelSelector parse(String s) {
    if (s == null || s.isBlank()) {
      return EVERYTHING;
    }
    return new LabelSelector(new Parser(s).requirements());
  }

  public boolean matches(JsonNode labels) {
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  private enum Kind { IDENTIFIER, NOT, OPERATOR, OPEN, CLOSE, COMMA, END }

  private record Token(Kind kind, String text) {
  }

  /** A recursive-descent parser over kube's tokens; it throws at the first token that does not fit. */
  private static final class Parser {
    private static final String OPERATORS = "in, notin, =, ==, !=, gt, lt";
    private final List<Token> tokens;
    private int at;

    Parser(String s) {
      this.tokens = lex(s);
    }

    List<Requirement> requirements() {
      List<Requirement> out = new ArrayList<>();
      while (true) {
        Token t = peek();
        if (t.kind == Kind.END) {
          return out;
        }
        if (t.kind != Kind.IDENTIFIER && t.kind != Kind.NOT) {
          throw new IllegalArgumentException("found '" + t.text + "', expected: !, identifier, or 'end of string'");
        }
        out.add(requirement());
        Token after = next();
        if (after.kind == Kind.END) {
          return out;
        }
        if (after.kind != Kind.COMMA) {
          throw new IllegalArgumentException("found '" + after.text + "', expected: ',' or 'end of string'");
        }
        Token following = peek();
        if (following.kind != Kind.IDENTIFIER && following.kind != Kind.NOT) {
          throw new IllegalArgumentException("found '" + following.text + "', expected: identifier after ','");
        }
      }
    }

    private Requirement requirement() {
      boolean negated = peek().kind == Kind.NOT;
      if (negated) {
        next();
      }
      Token key = next();
      if (key.kind != Kind.IDENTIFIER) {
        throw unparsable("found '" + key.text + "', expected: identifier");
      }
      String k = key(key.text);
      Token op = peek();
      if (op.kind == Kind.END || op.kind == Kind.COMMA) {
        return new Requirement(k, negated ? Op.NOT_EXISTS : Op.EXISTS, Set.of());
      }
      if (negated) {
        throw unparsable("found '" + op.text + "', expected: ',' or 'end of string'");
      }
      next();
      return switch (op.text) {
        case "in" -> new Requirement(k, Op.IN, set());
        case "notin" -> new Requirement(k, Op.NOTIN, set());
        case "=", "==" -> new Requirement(k, Op.EQ, Set.of(value(exact())));
        case "!=" -> new Requirement(k, Op.NEQ, Set.of(value(exact())));
        case ">", "<" -> new Requirement(k, op.text.equals(">") ? Op.GT : Op.LT, Set.of(integer(exact())));
        default -> throw unparsable("found '" + op.text + "', expected: " + OPERATORS);
      };
    }

    /** A value after =, == or !=; nothing before the next comma or the end is the empty value. */
    private String exact() {
      Token t = peek();
      if (t.kind == Kind.END || t.kind == Kind.COMMA) {
        return "";
      }
      next();
      if (t.kind != Kind.IDENTIFIER) {
        throw unparsable("found '" + t.text + "', expected: identifier");
      }
      return t.text;
    }

    /** A parenthesised set; "()" and empty elements stand for the empty value, as in kube. */
    private Set<String> set() {
      Token open = next();
      if (open.kind != Kind.OPEN) {
        throw unparsable("found '" + open.text + "', expected: '('");
      }
      Set<String> values = new TreeSet<>();
      boolean expectValue = true;
      while (true) {
        Token t = next();
        switch (t.kind) {
          case IDENTIFIER -> {
            if (!expectValue) {
              throw unparsable("found '" + t.text + "', expected: ',' or ')'");
            }
            values.add(value(t.text));
            expectValue = false;
          }
          case COMMA -> {
            if (expectValue) {
              values.add("");
            }
            expectValue = true;
          }
          case CLOSE -> {
            if (expectValue) {
              values.add("");
            }
            return values;
          }
          default -> throw unparsable("found '" + t.text + "', expected: ',', ')' or identifier");
        }
      }
    }

    private Token peek() {
      return tokens.get(at);
    }

    private Token next() {
      Token t = tokens.get(at);
      if (t.kind != Kind.END) {
        at++;
      }
      return t;
    }

    /**
     * kube's lexer: whitespace separates, the symbols {@code = ! ( ) , > <} form the longest operator they
     * spell, and any other run of characters is one identifier.
     */
    private static List<Token> lex(String s) {
      List<Token> out = new ArrayList<>();
      int i = 0;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (special(c)) {
          String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
          String op = two.equals("==") || two.equals("!=") ? two : String.valueOf(c);
          i += op.length();
          out.add(switch (op) {
            case "!" -> new Token(Kind.NOT, op);
            case "(" -> new Token(Kind.OPEN, op);
            case ")" -> new Token(Kind.CLOSE, op);
            case "," -> new Token(Kind.COMMA, op);
            default -> new Token(Kind.OPERATOR, op);
          });
        } else {
          int start = i;
          while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && !special(s.charAt(i))) {
            i++;
          }
          String word = s.substring(start, i);
          // "in" and "notin" are operators where an operator may stand; elsewhere they are plain words.
          out.add(new Token(Kind.IDENTIFIER, word));
        }
      }
      out.add(new Token(Kind.END, "end of string"));
      return out;
    }

    private static boolean special(char c) {
      return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
    }

    private static IllegalArgumentException unparsable(String why) {
      return new IllegalArgumentException("unable to parse requirement: " + why);
    }

    private static String key(String k) {
      int slash = k.indexOf('/');
      String prefix = slash < 0 ? null : k.substring(0, slash);
      String name = slash < 0 ? k : k.substring(slash + 1);
      boolean validPrefix = prefix == null || (prefix.length() <= 253
          && prefix.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"));
      if (!validPrefix || name.length() > 63 || !name.matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")) {
        throw unparsable("invalid label key \"" + k + "\": name part must consist of alphanumeric characters,"
            + " '-', '_' or '.', and must start and end with an alphanumeric character");
      }
      return k;
    }

    private static String value(String v) {
      if (!v.isEmpty() && (v.length() > 63 || !v.matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"))) {
        throw unparsable("invalid label value: \"" + v + "\": at key: a valid label must be an empty string or"
            + " consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric"
            + " character");
      }
      return v;
    }

    private static String integer(String v) {
      try {
        Long.parseLong(v);
        return v;
      } catch (NumberFormatException e) {
        throw unparsable("for 'Gt', 'Lt' operators, the value must be an integer");
      }
    }
  }
}
