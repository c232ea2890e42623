package io.ippool.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.api.Json;
import io.ippool.errors.ApiException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Writes objects and Status documents. The only place a Status is built. */
public final class Responses {
  public static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Responses() {
  }

  public static void json(RoutingContext ctx, int code, JsonNode body) {
    json(ctx, code, body, "application/json");
  }

  public static void json(RoutingContext ctx, int code, JsonNode body, String contentType) {
    boolean pretty = "true".equals(ctx.request().getParam("pretty"));
    write(ctx.response(), code, contentType, pretty ? Json.PRETTY : Json.MAPPER.writer(), body);
  }

  public static void yaml(RoutingContext ctx, int code, JsonNode body) {
    write(ctx.response(), code, "application/yaml", Json.YAML_WRITER, body);
  }

  public static void warnings(RoutingContext ctx, List<String> warnings) {
    for (String w : warnings) {
      ctx.response().headers().add("Warning", "299 - \"" + w.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }
  }

  public static void status(RoutingContext ctx, ApiException e) {
    HttpServerResponse r = ctx.response();
    if (e.retryAfterSeconds() != null) {
      r.putHeader("Retry-After", e.retryAfterSeconds().toString());
    }
    json(ctx, e.code(), statusDocument(e));
  }

  public static ObjectNode statusDocument(ApiException e) {
    ObjectNode s = F.objectNode();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure");
    s.put("message", e.getMessage());
    if (e.reason() != null && !e.reason().isEmpty()) {
      s.put("reason", e.reason());
    }
    ApiException.Details d = e.details();
    boolean hasDetails = d.name() != null || d.group() != null || d.kind() != null || !d.causes().isEmpty()
        || e.retryAfterSeconds() != null;
    if (hasDetails) {
      ObjectNode det = s.putObject("details");
      if (d.name() != null && !d.name().isEmpty()) {
        det.put("name", d.name());
      }
      if (d.group() != null && !d.group().isEmpty()) {
        det.put("group", d.group());
      }
      if (d.kind() != null && !d.kind().isEmpty()) {
        det.put("kind", d.kind());
      }
      if (!d.causes().isEmpty()) {
        ArrayNode causes = det.putArray("causes");
        for (FieldError fe : d.causes()) {
          ObjectNode c = causes.addObject();
          c.put("reason", fe.type().causeType);
          c.put("message", fe.causeMessage());
          if (fe.field() != null && !fe.field().isEmpty()) {
            c.put("field", fe.field());
          }
        }
      }
      if (e.retryAfterSeconds() != null) {
        det.put("retryAfterSeconds", e.retryAfterSeconds());
      }
    }
    s.put("code", e.code());
    return s;
  }

  /** The Status kube-apiserver answers a successful delete with. */
  public static ObjectNode deletedStatus(String name, String group, String plural, String uid) {
    ObjectNode s = F.objectNode();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Success");
    ObjectNode det = s.putObject("details");
    det.put("name", name);
    det.put("group", group);
    det.put("kind", plural);
    if (uid != null) {
      det.put("uid", uid);
    }
    return s;
  }

  private static void write(HttpServerResponse r, int code, String contentType, ObjectWriter writer, JsonNode body) {
    try {
      byte[] bytes = writer.writeValueAsBytes(body);
      r.setStatusCode(code).putHeader("Content-Type", contentType)
          .putHeader("Cache-Control", "no-cache, private")
          .end(io.vertx.core.buffer.Buffer.buffer(bytes));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
