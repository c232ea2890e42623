package io.ippool.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import org.slf4j.event.KeyValuePair;

/**
 * {@code 2025-01-02T03:04:05.678Z INFO  ApiServer serving url=https://127.0.0.1:6443 user="a b"}: the message,
 * then the event's key/value pairs logfmt style (quoted only when needed), then any stack trace.
 */
public final class TextLineLayout extends LineLayout {
  @Override
  public String doLayout(ILoggingEvent e) {
    StringBuilder b = new StringBuilder(128);
    b.append(TIME.format(e.getInstant())).append(' ');
    String level = e.getLevel().toString();
    b.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
    b.append(shortLogger(e.getLoggerName())).append(' ').append(e.getFormattedMessage());
    for (KeyValuePair kv : pairs(e)) {
      b.append(' ').append(kv.key).append('=');
      value(b, String.valueOf(kv.value));
    }
    String stack = stackTrace(e);
    if (stack != null) {
      b.append(System.lineSeparator()).append(stack.stripTrailing());
    }
    return redact(b.toString()) + System.lineSeparator();
  }

  private static void value(StringBuilder b, String v) {
    if (!v.isEmpty() && v.chars().allMatch(c -> c > ' ' && c != '"' && c != '=' && c != '\\' && c < 127)) {
      b.append(v);
      return;
    }
    b.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> b.append(c);
      }
    }
    b.append('"');
  }
}
