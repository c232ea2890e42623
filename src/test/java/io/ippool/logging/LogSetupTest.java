package io.ippool.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogSetupTest {
  @AfterEach
  void restoreLogbackXml() throws Exception {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    new ContextInitializer(ctx).autoConfig();
  }

  @Test
  void json_debug_writesOurDebugLinesAsJsonOnStderr_librariesStayAtWarn() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      LogSetup.configure(LogSetup.Format.JSON, Level.DEBUG);
      LoggerFactory.getLogger("io.ippool.http.requests").atDebug().addKeyValue("code", 200).log("request");
      LoggerFactory.getLogger("io.netty.Whatever").info("noise");
    } finally {
      System.setErr(err);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertTrue(out.matches("\\{\"ts\":\"[^\"]+\",\"level\":\"DEBUG\",\"logger\":\"requests\",\"msg\":\"request\","
        + "\"code\":200}\\R"), out);
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertEquals(Level.WARN, ctx.getLogger("io.netty").getLevel());
    assertEquals(Level.WARN, ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel());
  }

  @Test
  void error_quietsLibrariesToo() {
    LogSetup.configure(LogSetup.Format.TEXT, Level.ERROR);
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertEquals(Level.ERROR, ctx.getLogger("io.ippool").getLevel());
    assertEquals(Level.ERROR, ctx.getLogger("io.vertx").getLevel());
    assertEquals(Level.OFF, ctx.getLogger("org.testcontainers").getLevel());
  }

  @Test
  void logbackXml_loadsWithoutErrors() throws Exception {
    // Logback reports a broken logback.xml (e.g. "--" inside a comment) only through its status manager.
    LoggerContext fresh = new LoggerContext();
    new ContextInitializer(fresh).autoConfig();
    var statuses = fresh.getStatusManager().getCopyOfStatusList();
    assertTrue(new ch.qos.logback.core.status.StatusUtil(fresh).getHighestLevel(0)
        < ch.qos.logback.core.status.Status.WARN, statuses.toString());
    assertEquals(Level.WARN, fresh.getLogger("io.netty").getLevel());
    fresh.stop();
  }

  @Test
  void parsing_acceptsAnyCase_refusesTheRest() {
    assertEquals(Level.DEBUG, LogSetup.parseLevel("DEBUG"));
    assertEquals(Level.WARN, LogSetup.parseLevel("warning"));
    assertEquals(LogSetup.Format.JSON, LogSetup.Format.parse("Json"));
    assertThrows(IllegalArgumentException.class, () -> LogSetup.parseLevel("verbose"));
    assertThrows(IllegalArgumentException.class, () -> LogSetup.Format.parse("xml"));
  }
}
