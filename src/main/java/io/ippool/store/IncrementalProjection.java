package io.ippool.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A {@link StatusProjection} whose fields a reader can keep in memory and move forward revision by revision,
 * reading only what changed (the watch hub does this for SpiderIPPool's allocatedIPs, so an event costs the
 * rows its batch wrote, not the whole pool).
 */
public interface IncrementalProjection {
  /** The projected state of each named object at revision {@code at} (objects without any are present, empty). */
  Future<Map<String, State>> load(SqlClient client, Collection<String> names, long at);

  /** The changes of the named objects with a revision in ({@code after}, {@code upTo}], in revision order. */
  Future<List<Change>> changes(SqlClient client, Collection<String> names, long after, long upTo);

  /** One change of one object's projected fields. */
  interface Change {
    String name();

    long revision();
  }

  /** One object's projected fields, as of the last change applied. */
  interface State {
    void apply(Change change);

    /** A copy of {@code body} with the projected fields set from this state. */
    ObjectNode complete(ObjectNode body);
  }
}
