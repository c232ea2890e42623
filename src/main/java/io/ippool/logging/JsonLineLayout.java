package io.ippool.logging;

import io.ippool.api.JsonStrings;

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
        JsonStrings.append(b, kv.key);
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
    JsonStrings.append(b, key);
    b.append(':');
    JsonStrings.append(b, value);
  }
}
