package io.ippool.api;

/** JSON string literals, for the places that write JSON text by hand (log lines, CLI output, Go-compatible text). */
public final class JsonStrings {
  private JsonStrings() {
  }

  /** RFC 8259: quote, backslash and control characters escaped; everything else as is. */
  public static void append(StringBuilder b, String s) {
    append(b, s, false);
  }

  /**
   * As Go's encoding/json writes strings: like {@link #append} plus {@code < > &} and U+2028/U+2029 as
   * {@code \\u} escapes (Go's HTML-safe default), so text we compare with Spiderpool's is byte-identical.
   */
  public static void appendGo(StringBuilder b, String s) {
    append(b, s, true);
  }

  public static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2);
    append(b, s);
    return b.toString();
  }

  private static void append(StringBuilder b, String s, boolean htmlSafe) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          boolean escape = c < 0x20
              || (htmlSafe && (c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029'));
          if (escape) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
