package io.ippool.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.event.KeyValuePair;

/**
 * What the text and JSON layouts share: one line per event with time, level, logger, message, the event's
 * key/value pairs and its exception, after a last redaction pass.
 */
abstract class LineLayout extends LayoutBase<ILoggingEvent> {
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
      .withZone(ZoneOffset.UTC);

  /**
   * A safety net, not the policy (the policy is: log {@code DatabaseUrl.redacted()}, never a URL as given): a
   * password that reaches a log line anyway, inside a URL's user info or as a password=... parameter (a driver's
   * exception message, say), is masked before the line is written.
   */
  private static final Pattern URL_PASSWORD = Pattern.compile("(://[^:/@\\s\"]+:)[^@\\s\"]*@");
  private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&\\s\"]+");

  static String redact(String s) {
    if (s == null || s.indexOf('@') < 0 && s.toLowerCase().indexOf("password=") < 0) {
      return s;
    }
    return PASSWORD_PARAM.matcher(URL_PASSWORD.matcher(s).replaceAll("$1***@")).replaceAll("$1***");
  }

  static String shortLogger(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(dot + 1);
  }

  static List<KeyValuePair> pairs(ILoggingEvent e) {
    List<KeyValuePair> kv = e.getKeyValuePairs();
    return kv == null ? List.of() : kv;
  }

  static String stackTrace(ILoggingEvent e) {
    IThrowableProxy t = e.getThrowableProxy();
    return t == null ? null : ThrowableProxyUtil.asString(t);
  }
}
