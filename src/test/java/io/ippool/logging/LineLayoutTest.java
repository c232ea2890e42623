package io.ippool.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class LineLayoutTest {
  private static final LoggerContext CTX = new LoggerContext();

  private static LoggingEvent event(String message, Throwable t, Object... kv) {
    LoggingEvent e = new LoggingEvent("x", CTX.getLogger("io.ippool.http.requests"), Level.DEBUG, message, t, null);
    e.setInstant(Instant.parse("2025-01-02T03:04:05.678Z"));
    for (int i = 0; i < kv.length; i += 2) {
      e.addKeyValuePair(new KeyValuePair((String) kv[i], kv[i + 1]));
    }
    return e;
  }

  @Test
  void text_isOneLineWithLogfmtPairs() {
    String line = new TextLineLayout().doLayout(event("request", null, "method", "GET", "path", "/apis/x",
        "code", 200, "user", "system:admin user", "empty", ""));
    assertEquals("2025-01-02T03:04:05.678Z DEBUG requests request method=GET path=/apis/x code=200 "
        + "user=\"system:admin user\" empty=\"\"" + System.lineSeparator(), line);
  }

  @Test
  void json_isOneObjectPerLine_withTypedPairsAndEscapes() throws Exception {
    String line = new JsonLineLayout().doLayout(event("say \"hi\"\n\tthere \u0001", new IllegalStateException("boom"),
        "code", 404, "completed", true, "user", "a\\b"));
    assertTrue(line.endsWith("}" + System.lineSeparator()));
    assertEquals(1, line.strip().lines().count(), "one line: " + line);
    JsonNode j = new ObjectMapper().readTree(line);
    assertEquals("2025-01-02T03:04:05.678Z", j.get("ts").asText());
    assertEquals("DEBUG", j.get("level").asText());
    assertEquals("requests", j.get("logger").asText());
    assertEquals("say \"hi\"\n\tthere \u0001", j.get("msg").asText());
    assertTrue(j.get("code").isInt());
    assertTrue(j.get("completed").isBoolean());
    assertEquals("a\\b", j.get("user").asText());
    assertTrue(j.get("error").asText().contains("IllegalStateException: boom"));
  }

  @Test
  void passwordsNeverReachALine_whateverTheFormat() {
    LoggingEvent e = event("cannot connect to postgresql://ippool:s3cr3t@db:5432/ippool", null,
        "dsn", "host=db password=s3cr3t user=ippool", "url", "postgres://u:p%40ss@h/d");
    for (LineLayout layout : new LineLayout[] {new TextLineLayout(), new JsonLineLayout()}) {
      String line = layout.doLayout(e);
      assertFalse(line.contains("s3cr3t"), line);
      assertFalse(line.contains("p%40ss"), line);
      assertTrue(line.contains("postgresql://ippool:***@db:5432/ippool"), line);
    }
  }
}
