package io.ippool.cli;

import ch.qos.logback.classic.Level;
import io.ippool.logging.LogSetup;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --log-format} and {@code --log-level}, mixed into commands that run for long enough to log. */
public final class LoggingOptions {
  @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "${env:IPPOOL_LOG_FORMAT:-text}",
      converter = FormatConverter.class,
      description = "Log lines as text (key=value) or json (one object per line). Env IPPOOL_LOG_FORMAT. "
          + "Default: ${DEFAULT-VALUE}")
  LogSetup.Format format;

  @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "${env:IPPOOL_LOG_LEVEL:-info}",
      converter = LevelConverter.class,
      description = "trace, debug (one line per request), info, warn or error. Env IPPOOL_LOG_LEVEL. "
          + "Default: ${DEFAULT-VALUE}")
  Level level;

  /** Replaces logback.xml's start-up configuration with the one asked for. */
  public void apply() {
    LogSetup.configure(format, level);
  }

  static final class FormatConverter implements ITypeConverter<LogSetup.Format> {
    @Override
    public LogSetup.Format convert(String value) {
      try {
        return LogSetup.Format.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class LevelConverter implements ITypeConverter<Level> {
    @Override
    public Level convert(String value) {
      try {
        return LogSetup.parseLevel(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
