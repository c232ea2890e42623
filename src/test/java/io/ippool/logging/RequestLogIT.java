package io.ippool.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.TestServer;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One DEBUG line per request, with who did what and how it ended, and nothing a client sent in a body. */
class RequestLogIT {
  @Test
  void eachRequestLogsMethodPathCodeDurationAndUser_neverTheBody() throws Exception {
    Logger requests = (Logger) LoggerFactory.getLogger("io.ippool.http.requests");
    Level was = requests.getLevel();
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    requests.addAppender(captured);
    requests.setLevel(Level.DEBUG);
    try (TestServer server = TestServer.start()) {
      ApiClient api = ApiClient.admin(server);
      String secretBody = "{\"metadata\":{\"name\":\"logged\",\"annotations\":{\"token\":\"do-not-log-me\"}},"
          + "\"spec\":{\"ips\":[\"10.30.0.1\"]}}";
      assertEquals(201, api.post("/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips?fieldManager=secretish",
          "application/json", secretBody).code());
      assertEquals(401, ApiClient.anonymous(server).get("/apis").code());

      long deadline = System.currentTimeMillis() + 10_000;
      while (captured.list.size() < 2 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      List<Map<String, Object>> lines = captured.list.stream().map(RequestLogIT::pairs).toList();
      Map<String, Object> create = lines.stream().filter(l -> "POST".equals(l.get("method"))).findFirst()
          .orElseThrow(() -> new AssertionError(lines.toString()));
      assertEquals("/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips", create.get("path"));
      assertEquals(201, create.get("code"));
      assertTrue(create.get("user").toString().contains("admin"), create.toString());
      assertTrue(Double.parseDouble(create.get("durationMs").toString()) > 0);
      Map<String, Object> anonymous = lines.stream().filter(l -> Integer.valueOf(401).equals(l.get("code")))
          .findFirst().orElseThrow(() -> new AssertionError(lines.toString()));
      assertEquals("system:anonymous", anonymous.get("user"));
      for (ILoggingEvent e : captured.list) {
        String all = new TextLineLayout().doLayout(e) + new JsonLineLayout().doLayout(e);
        assertFalse(all.contains("do-not-log-me"), all);
        assertFalse(all.contains("secretish"), "query strings are not logged: " + all);
      }
    } finally {
      requests.detachAppender(captured);
      requests.setLevel(was);
    }
  }

  private static Map<String, Object> pairs(ILoggingEvent e) {
    return e.getKeyValuePairs().stream().collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
  }
}
