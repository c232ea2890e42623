package io.ippool.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback from the command line at start-up, replacing logback.xml's defaults: one appender on
 * stderr, text or JSON lines, {@code --log-level} for our own loggers. Libraries stay at WARN whatever the
 * level, so {@code --log-level debug} shows our request lines rather than Netty's internals.
 */
public final class LogSetup {
  /** Output format of every log line. */
  public enum Format {
    TEXT, JSON;

    public static Format parse(String s) {
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "text" -> TEXT;
        case "json" -> JSON;
        default -> throw new IllegalArgumentException("'" + s + "' is not a log format (text, json)");
      };
    }
  }

  /**
   * Loggers of libraries; OFF ones only ever speak in tests. Micrometer's MeterRegistry warns that a gauge "has
   * been already registered" because vertx-micrometer registers each SQL client gauge once per connection (they
   * share one value, so nothing is lost): a start-up warning that asks nothing of the operator, hence ERROR.
   */
  private static final Map<String, Level> LIBRARIES = Map.of(
      "org.flywaydb", Level.WARN, "io.zonky", Level.WARN, "io.netty", Level.WARN, "io.vertx", Level.WARN,
      "org.testcontainers", Level.OFF, "com.github.dockerjava", Level.OFF,
      "io.micrometer.core.instrument.MeterRegistry", Level.ERROR);

  private LogSetup() {
  }

  /** trace, debug, info, warn or error, in any case. */
  public static Level parseLevel(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "trace" -> Level.TRACE;
      case "debug" -> Level.DEBUG;
      case "info" -> Level.INFO;
      case "warn", "warning" -> Level.WARN;
      case "error" -> Level.ERROR;
      default -> throw new IllegalArgumentException("'" + s + "' is not a log level (trace, debug, info, warn, "
          + "error)");
    };
  }

  public static void configure(Format format, Level level) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return; // another SLF4J backend (an embedding application's): leave its configuration alone
    }
    ctx.reset();
    LineLayout layout = format == Format.JSON ? new JsonLineLayout() : new TextLineLayout();
    layout.setContext(ctx);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(ctx);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(ctx);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(stderr);
    // Libraries' warnings still show unless the operator asked for errors only.
    root.setLevel(level.isGreaterOrEqual(Level.WARN) ? level : Level.WARN);
    ctx.getLogger("io.ippool").setLevel(level);
    Level libraries = level.isGreaterOrEqual(Level.WARN) ? level : Level.WARN;
    LIBRARIES.forEach((name, l) -> ctx.getLogger(name).setLevel(l.isGreaterOrEqual(libraries) ? l : libraries));
  }
}
