package io.ippool.server;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Go-style durations: 90s, 15m, 2h, 1h30m, 500ms. */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    String s = value.trim();
    if (!s.matches("(\\d+(ms|s|m|h))+")) {
      throw new TypeConversionException("'" + value + "' is not a duration (e.g. 90s, 15m, 2h)");
    }
    Duration d = Duration.ZERO;
    var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(s);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      d = d.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
    }
    return d;
  }
}
