package io.ippool.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per line for log pipelines:
 * {@code {"ts":"...","level":"INFO","logger":"ApiServer","msg":"serving","url":"https://..."}}. The event's
 * key/value pairs become top-level fields (numbers and booleans stay unquoted); a stack trace goes in
 * {@code "error"}. Written by hand, a few lines, rather than pulling an encoder library into the server.
 */
public final class JsonLineLayout extends LineLayout {
  @Override
  public String doLayout(ILoggingEvent e) {
    StringBuilder b = new StringBuilder(192).append('{');
    field(b, "ts", TIME.format(e.getInstant()));
    b.append(',');
    field(b, "level", e.getLevel().toString());
    b.append(',');
    field(b, "logger", shortLogger(e.getLoggerName()));
    b.append(',');
    field(b, "msg", redact(e.getFormattedMessage()));
    for (KeyValuePair kv : pairs(e)) {
      b.append(',');
      if (kv.value instanceof Number || kv.value instanceof Boolean) {
        string(b, kv.key);
        b.append(':').append(kv.value);
      } else {
        field(b, kv.key, redact(String.valueOf(kv.value)));
      }
    }
    String stack = stackTrace(e);
    if (stack != null) {
      b.append(',');
      field(b, "error", redact(stack));
    }
    return b.append('}').append(System.lineSeparator()).toString();
  }

  private static void field(StringBuilder b, String key, String value) {
    string(b, key);
    b.append(':');
    string(b, value);
  }

  /** A JSON string literal (RFC 8259): quote, backslash and control characters escaped. */
  static void string(StringBuilder b, String s) {
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
          if (c < 0x20) {
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
