package io.ippool.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.Json;
import io.ippool.api.ResourceKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Appends watch events in the writer's transaction, so an event exists exactly when its change does and
 * events are ordered by resourceVersion. After commit the writer nudges watchers with a payload-free
 * NOTIFY on {@link #CHANNEL}; they re-read the log from their last revision.
 */
public final class EventLog {
  public static final String CHANNEL = "ippool_events";

  private static final String APPEND = """
      INSERT INTO resource_events (resource_version, resource, namespace, name, event_type, body, projected)
      VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)""";
  private static final String NOTIFY = "SELECT pg_notify('" + CHANNEL + "', '')";

  private EventLog() {
  }

  public enum Type { ADDED, MODIFIED, DELETED }

  /** Appends an event whose body is the object exactly as served at {@code rv}. */
  public static Future<Void> append(SqlClient tx, long rv, ResourceKind kind, String namespace, String name,
                                    Type type, ObjectNode body) {
    return append(tx, rv, kind, namespace, name, type, body, false);
  }

  /**
   * @param projected true when {@code body} leaves out fields its kind's {@link StatusProjection} computes
   *                  at a given revision ({@link StatusProjection#projectAt}); every reader of the log fills
   *                  them in before serving the event
   */
  public static Future<Void> append(SqlClient tx, long rv, ResourceKind kind, String namespace, String name,
                                    Type type, ObjectNode body, boolean projected) {
    return tx.preparedQuery(APPEND)
        .execute(Tuple.of(rv, kind.plural(), namespace == null ? "" : namespace, name, type.name(),
            new JsonObject(Json.write(body)), projected))
        .mapEmpty();
  }

  /** Inside the transaction: PostgreSQL delivers it at COMMIT, in commit order, and drops it on ROLLBACK. */
  public static Future<Void> notifyWatchers(SqlClient tx) {
    return tx.query(NOTIFY).execute().mapEmpty();
  }
}
