package io.ippool.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.admission.webhook.WebhookConfigurations.Hook;
import io.ippool.api.Json;
import io.ippool.api.ResourceKind;
import io.ippool.auth.UserInfo;
import io.ippool.errors.ApiException;
import io.ippool.registry.AdmissionAttributes;
import io.ippool.registry.KindAdmission.Operation;
import io.ippool.registry.patch.JsonPatch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the cluster's admission webhooks for a write of ours, as kube-apiserver's mutating and validating webhook
 * plugins would if it served the kind itself: select by rules, namespaceSelector and objectSelector; send an
 * AdmissionReview v1 over HTTPS; apply JSONPatch responses in order (mutating) or require every webhook to allow
 * (validating, called in parallel); honour timeoutSeconds and failurePolicy.
 *
 * <p>reinvocationPolicy IfNeeded is not honoured: each mutating webhook runs once. kube-apiserver would call such
 * a webhook again when a later one changed the object; Spiderpool's webhooks are idempotent defaulting, so a
 * second round would change nothing for them.
 */
public final class WebhookDispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
  private static final String REVIEW_API_VERSION = "admission.k8s.io/v1";
  private static final int DEFAULT_TIMEOUT_SECONDS = 10;

  private final Vertx vertx;
  private final WebhookConfigurations.Source source;
  private final NamespaceLabels namespaces;
  /** One client per caBundle: the trust anchors are a client-wide option in Vert.x. */
  private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

  public WebhookDispatcher(Vertx vertx, WebhookConfigurations.Source source, NamespaceLabels namespaces) {
    this.vertx = vertx;
    this.source = source;
    this.namespaces = namespaces;
  }

  /** A request failed in transport or answered malformed: subject to failurePolicy, as kube's ErrCallingWebhook. */
  private static final class CallFailure extends RuntimeException {
    CallFailure(String message) {
      super(message, null, false, false);
    }
  }

  /** What one write looks like to admission. {@code object} is null on DELETE, {@code oldObject} on CREATE. */
  public record Request(ResourceKind kind, Operation operation, String namespace, String name, ObjectNode oldObject,
                        ObjectNode object, AdmissionAttributes attributes) {
  }

  // ---------------------------------------------------------------- mutating

  /**
   * Runs the matching mutating webhooks one after another, each seeing the previous one's result. Returns the
   * final object (the input when nothing matched or nothing patched). On DELETE patches are ignored: there is
   * no object to patch, and kube-apiserver fails such a patch anyway.
   */
  public Future<ObjectNode> mutate(Request req) {
    return matching(source.mutating(), req).compose(hooks -> {
      Future<ObjectNode> chain = Future.succeededFuture(req.object());
      for (Hook h : hooks) {
        chain = chain.compose(current -> callMutating(h, req, current));
      }
      return chain;
    });
  }

  private Future<ObjectNode> callMutating(Hook h, Request req, ObjectNode current) {
    Request now = new Request(req.kind(), req.operation(), req.namespace(), req.name(), req.oldObject(), current,
        req.attributes());
    return call(h, now).compose(response -> {
      if (response == null) {
        return Future.succeededFuture(current); // failed open
      }
      if (!response.path("allowed").asBoolean(false)) {
        return Future.failedFuture(denied(h, response));
      }
      String patch = response.path("patch").asText("");
      if (patch.isEmpty() || current == null) {
        return Future.succeededFuture(current);
      }
      String type = response.path("patchType").asText("");
      if (!"JSONPatch".equals(type)) {
        // An unusable response is a failed call: failurePolicy Ignore keeps the object as it was.
        return failedCall(h, "received invalid webhook response: unsupported patch type \"" + type + "\"")
            .map(ignored -> current);
      }
      try {
        JsonNode ops = Json.MAPPER.readTree(Base64.getDecoder().decode(patch));
        JsonNode patched = JsonPatch.apply(current, ops);
        if (!(patched instanceof ObjectNode obj)) {
          return Future.failedFuture(ApiException.internal("patched object is not a JSON object"));
        }
        return Future.succeededFuture(obj);
      } catch (Exception e) {
        // kube answers a patch that does not apply with an internal error, whatever the failurePolicy.
        return Future.failedFuture(ApiException.internal(String.valueOf(e.getMessage())));
      }
    });
  }

  // ---------------------------------------------------------------- validating

  /** Calls the matching validating webhooks in parallel; the first refusal (in configuration order) wins. */
  public Future<Void> validate(Request req) {
    return matching(source.validating(), req).compose(hooks -> {
      List<Future<Void>> calls = new ArrayList<>();
      for (Hook h : hooks) {
        calls.add(call(h, req).compose(response -> {
          if (response != null && !response.path("allowed").asBoolean(false)) {
            return Future.failedFuture(denied(h, response));
          }
          return Future.<Void>succeededFuture();
        }));
      }
      return Future.join(calls).transform(done -> {
        for (Future<Void> f : calls) {
          if (f.failed()) {
            return Future.failedFuture(f.cause());
          }
        }
        return Future.<Void>succeededFuture();
      });
    });
  }

  // ---------------------------------------------------------------- selection

  private Future<List<Hook>> matching(List<Hook> all, Request req) {
    AdmissionAttributes a = req.attributes();
    String ns = req.namespace() == null ? "" : req.namespace();
    List<Hook> byRules = new ArrayList<>();
    boolean needNamespace = false;
    for (Hook h : all) {
      JsonNode w = h.webhook();
      if (!WebhookMatcher.rulesMatch(w, req.kind(), req.operation().name(), a.subresource(), ns)
          || !objectSelectorMatches(w.get("objectSelector"), req)) {
        continue;
      }
      byRules.add(h);
      needNamespace |= !ns.isEmpty() && !isEmptySelector(w.get("namespaceSelector"));
    }
    Future<JsonNode> nsLabels = needNamespace ? namespaces.get(ns) : Future.succeededFuture(null);
    return nsLabels.recover(err -> Future.failedFuture(ApiException.internal(err.getMessage()))).compose(labels -> {
      List<Hook> out = new ArrayList<>();
      for (Hook h : byRules) {
        JsonNode sel = h.webhook().get("namespaceSelector");
        // Cluster-scoped objects are never filtered by namespaceSelector (kube's MatchNamespaceSelector).
        if (!ns.isEmpty() && !isEmptySelector(sel) && !WebhookMatcher.selectorMatches(sel, labels)) {
          continue;
        }
        if (a.dryRun() && !sideEffectFreeOnDryRun(h.webhook())) {
          // kube-apiserver refuses the whole request rather than skip a webhook with side effects.
          return Future.failedFuture(ApiException.badRequest("admission webhook \"" + h.name()
              + "\" does not support dry run"));
        }
        out.add(h);
      }
      return Future.succeededFuture(out);
    });
  }

  private static boolean sideEffectFreeOnDryRun(JsonNode webhook) {
    String s = webhook.path("sideEffects").asText("");
    return s.equals("None") || s.equals("NoneOnDryRun");
  }

  /** An empty selector matches everything, including requests without an object to label. */
  private static boolean objectSelectorMatches(JsonNode sel, Request req) {
    if (isEmptySelector(sel)) {
      return true;
    }
    return (req.object() != null && WebhookMatcher.selectorMatches(sel, labels(req.object())))
        || (req.oldObject() != null && WebhookMatcher.selectorMatches(sel, labels(req.oldObject())));
  }

  private static boolean isEmptySelector(JsonNode sel) {
    return sel == null || !sel.isObject() || (sel.path("matchLabels").size() == 0
        && sel.path("matchExpressions").size() == 0);
  }

  private static JsonNode labels(ObjectNode obj) {
    return obj.path("metadata").path("labels");
  }

  // ---------------------------------------------------------------- calling

  /**
   * Sends the review; returns the response stanza, or null when the call failed and failurePolicy is Ignore.
   * Fails with an ApiException when the call failed under failurePolicy Fail.
   */
  private Future<JsonNode> call(Hook h, Request req) {
    String uid = UUID.randomUUID().toString();
    ObjectNode review = review(uid, req);
    JsonNode w = h.webhook();
    int timeout = w.path("timeoutSeconds").asInt(DEFAULT_TIMEOUT_SECONDS);
    if (!acceptsV1(w.path("admissionReviewVersions"))) {
      // kube-apiserver would fall back to v1beta1; we only speak v1, so such a webhook counts as unreachable.
      return failedCall(h, "webhook does not accept v1 AdmissionReview");
    }
    String url;
    try {
      url = url(w.path("clientConfig"));
    } catch (IllegalArgumentException e) {
      return failedCall(h, e.getMessage());
    }
    HttpClient client;
    try {
      client = clients.computeIfAbsent(w.path("clientConfig").path("caBundle").asText(""), this::newClient);
    } catch (RuntimeException e) {
      return failedCall(h, "failed to call webhook: invalid caBundle: " + e.getMessage());
    }
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .setIdleTimeout(timeout * 1000L)
        .putHeader("Content-Type", "application/json").putHeader("Accept", "application/json");
    Future<Buffer> body = client.request(ro)
        .compose(r -> r.send(Buffer.buffer(review.toString())))
        .compose(resp -> resp.body().compose(b -> {
          if (resp.statusCode() < 200 || resp.statusCode() > 299) {
            return Future.failedFuture(new CallFailure("the server responded with the status code "
                + resp.statusCode() + " but did not return more information"));
          }
          return Future.succeededFuture(b);
        }))
        .timeout(timeout, TimeUnit.SECONDS);
    return body.transform(ar -> {
      if (ar.failed()) {
        Throwable t = ar.cause();
        String why = t instanceof CallFailure ? t.getMessage() : "Post \"" + url + "\": "
            + (t instanceof java.util.concurrent.TimeoutException ? "context deadline exceeded" : t.getMessage());
        return failedCall(h, "failed to call webhook: " + why);
      }
      JsonNode resp;
      try {
        resp = Json.MAPPER.readTree(ar.result().getBytes());
      } catch (Exception e) {
        return failedCall(h, "received invalid webhook response: " + e.getMessage());
      }
      String problem = invalidResponse(resp, uid);
      if (problem != null) {
        return failedCall(h, "received invalid webhook response: " + problem);
      }
      JsonNode response = resp.get("response");
      response.path("warnings").forEach(x -> req.attributes().warnings().add(x.asText()));
      return Future.succeededFuture(response);
    });
  }

  private static boolean acceptsV1(JsonNode versions) {
    if (!versions.isArray() || versions.isEmpty()) {
      return true; // required in v1 configurations; a missing list is read leniently
    }
    for (JsonNode v : versions) {
      if ("v1".equals(v.asText())) {
        return true;
      }
    }
    return false;
  }

  private static String invalidResponse(JsonNode resp, String uid) {
    if (!REVIEW_API_VERSION.equals(resp.path("apiVersion").asText())
        || !"AdmissionReview".equals(resp.path("kind").asText())) {
      return "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got "
          + resp.path("apiVersion").asText() + ", Kind=" + resp.path("kind").asText();
    }
    JsonNode response = resp.get("response");
    if (response == null || !response.isObject()) {
      return "webhook response was absent";
    }
    if (!uid.equals(response.path("uid").asText())) {
      return "expected response.uid=\"" + uid + "\", got \"" + response.path("uid").asText() + "\"";
    }
    return null;
  }

  /** Fail: the request fails with an internal error. Ignore: logged, and the webhook counts as allowing. */
  private Future<JsonNode> failedCall(Hook h, String reason) {
    if ("Ignore".equals(h.webhook().path("failurePolicy").asText("Fail"))) {
      LOG.warn("failed calling webhook, failing open webhook={} error=\"{}\"", h.name(), reason);
      return Future.succeededFuture(null);
    }
    LOG.warn("failed calling webhook, failing closed webhook={} error=\"{}\"", h.name(), reason);
    return Future.failedFuture(policyFailure(h, reason));
  }

  private static ApiException policyFailure(Hook h, String reason) {
    return ApiException.internal("failed calling webhook \"" + h.name() + "\": " + reason);
  }

  /** kube's webhookerrors.ToStatusErr: the webhook's status, its code kept when it is an error code. */
  private static ApiException denied(Hook h, JsonNode response) {
    JsonNode status = response.path("status");
    int code = status.path("code").asInt(0);
    if (code < 400) {
      code = 400;
    }
    String deniedBy = "admission webhook \"" + h.name() + "\" denied the request";
    String message = status.path("message").asText("");
    String reason = status.path("reason").asText("");
    String text = !message.isEmpty() ? deniedBy + ": " + message
        : !reason.isEmpty() ? deniedBy + ": " + reason : deniedBy + " without explanation";
    JsonNode d = status.path("details");
    ApiException.Details details = d.isObject() ? new ApiException.Details(d.path("name").asText(null),
        d.path("group").asText(null), d.path("kind").asText(null), List.of()) : ApiException.Details.none();
    return new ApiException(code, reason, text, details);
  }

  private static String url(JsonNode cc) {
    if (cc.hasNonNull("url")) {
      return cc.get("url").asText();
    }
    JsonNode svc = cc.path("service");
    if (!svc.isObject()) {
      throw new IllegalArgumentException("failed to call webhook: neither url nor service is set in clientConfig");
    }
    String path = svc.path("path").asText("");
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    // The name kube-apiserver dials and verifies the serving certificate against.
    return "https://" + svc.path("name").asText() + "." + svc.path("namespace").asText() + ".svc:"
        + svc.path("port").asInt(443) + path;
  }

  private HttpClient newClient(String caBundle) {
    HttpClientOptions o = new HttpClientOptions().setSsl(true).setVerifyHost(true);
    if (!caBundle.isEmpty()) {
      byte[] pem = Base64.getDecoder().decode(caBundle);
      o.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(pem)));
    }
    return vertx.createHttpClient(o);
  }

  private static ObjectNode review(String uid, Request req) {
    ObjectNode review = JsonNodeFactory.instance.objectNode();
    review.put("apiVersion", REVIEW_API_VERSION);
    review.put("kind", "AdmissionReview");
    ObjectNode r = review.putObject("request");
    ResourceKind k = req.kind();
    AdmissionAttributes a = req.attributes();
    r.put("uid", uid);
    ObjectNode kind = r.putObject("kind").put("group", k.group()).put("version", k.version()).put("kind", k.kind());
    ObjectNode resource = r.putObject("resource").put("group", k.group()).put("version", k.version())
        .put("resource", k.plural());
    if (!a.subresource().isEmpty()) {
      r.put("subResource", a.subresource());
    }
    // One version served, so what was asked for is what is sent.
    r.set("requestKind", kind.deepCopy());
    r.set("requestResource", resource.deepCopy());
    if (!a.subresource().isEmpty()) {
      r.put("requestSubResource", a.subresource());
    }
    if (req.name() != null && !req.name().isEmpty()) {
      r.put("name", req.name());
    }
    if (req.namespace() != null && !req.namespace().isEmpty()) {
      r.put("namespace", req.namespace());
    }
    r.put("operation", req.operation().name());
    r.set("userInfo", userInfo(a.user()));
    r.set("object", req.operation() == Operation.DELETE ? null : req.object());
    r.set("oldObject", req.operation() == Operation.CREATE ? null : req.oldObject());
    r.put("dryRun", a.dryRun());
    r.set("options", a.options());
    return review;
  }

  private static ObjectNode userInfo(UserInfo u) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("username", u.name());
    if (!u.uid().isEmpty()) {
      o.put("uid", u.uid());
    }
    ArrayNode groups = o.putArray("groups");
    u.groups().forEach(groups::add);
    if (!u.extra().isEmpty()) {
      ObjectNode extra = o.putObject("extra");
      u.extra().forEach((key, values) -> {
        ArrayNode arr = extra.putArray(key);
        values.forEach(arr::add);
      });
    }
    return o;
  }

  @Override
  public void close() {
    clients.values().forEach(HttpClient::close);
  }
}
