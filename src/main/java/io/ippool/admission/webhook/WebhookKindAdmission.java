package io.ippool.admission.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.admission.webhook.WebhookDispatcher.Request;
import io.ippool.registry.AdmissionAttributes;
import io.ippool.registry.KindAdmission;
import io.ippool.registry.KindDefinition;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * A kind's admission followed by the cluster's webhooks: mutate = ours, then the cluster's mutating webhooks;
 * validate = ours, then the cluster's validating webhooks. The order mirrors kube-apiserver, where built-in
 * plugins precede the webhook plugins. Writes without a user (the server's own) skip the webhooks.
 *
 * <p>The calls happen inside the write transaction (that is where the registry runs admission), so a slow webhook
 * holds the row lock and a pooled connection for up to its timeoutSeconds.
 */
public final class WebhookKindAdmission implements KindAdmission {
  private final KindDefinition def;
  private final KindAdmission inner;
  private final WebhookDispatcher dispatcher;

  private WebhookKindAdmission(KindDefinition def, WebhookDispatcher dispatcher) {
    this.def = def;
    this.inner = def.admission();
    this.dispatcher = dispatcher;
  }

  /** The same kind with the cluster's webhooks after its own admission. */
  public static KindDefinition decorate(KindDefinition def, WebhookDispatcher dispatcher) {
    return def.withAdmission(new WebhookKindAdmission(def, dispatcher));
  }

  @Override
  public void mutate(Operation op, ObjectNode old, ObjectNode obj) {
    inner.mutate(op, old, obj);
  }

  @Override
  public Future<Void> validate(SqlConnection tx, Operation op, ObjectNode old, ObjectNode obj) {
    return inner.validate(tx, op, old, obj);
  }

  @Override
  public Future<Void> mutate(SqlConnection tx, Operation op, ObjectNode old, ObjectNode obj,
                             AdmissionAttributes attrs) {
    return inner.mutate(tx, op, old, obj, attrs).compose(v -> {
      if (attrs.user() == null) {
        return Future.succeededFuture();
      }
      return dispatcher.mutate(request(op, old, obj, attrs)).map(patched -> {
        if (patched != obj) {
          // A patched object is decoded by kube as any request body: pruned and defaulted by the schema.
          if (!"status".equals(attrs.subresource())) {
            def.schema().prune(patched);
            def.schema().applyDefaults(patched);
          }
          obj.removeAll();
          obj.setAll(patched);
        }
        return null;
      });
    });
  }

  @Override
  public Future<Void> validate(SqlConnection tx, Operation op, ObjectNode old, ObjectNode obj,
                               AdmissionAttributes attrs) {
    return inner.validate(tx, op, old, obj, attrs).compose(v -> {
      if (attrs.user() == null) {
        return Future.succeededFuture();
      }
      if (op == Operation.DELETE) {
        // The registry has one admission call for DELETE; kube runs both webhook phases for it.
        Request req = request(op, old, null, attrs);
        return dispatcher.mutate(req).compose(ignored -> dispatcher.validate(req));
      }
      return dispatcher.validate(request(op, old, obj, attrs));
    });
  }

  private Request request(Operation op, ObjectNode old, ObjectNode obj, AdmissionAttributes attrs) {
    com.fasterxml.jackson.databind.JsonNode meta = (obj != null ? obj : old).path("metadata");
    return new Request(def.kind(), op, meta.path("namespace").asText(""), meta.path("name").asText(""), old,
        obj, attrs);
  }
}
