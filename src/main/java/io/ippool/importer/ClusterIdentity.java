package io.ippool.importer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.registry.KindAdmission;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Puts the cluster's metadata.uid and creationTimestamp back on an imported object. The registry assigns
 * fresh ones on create (they are server-owned) and only then runs the kind's mutating admission, inside the
 * write transaction; wrapping the admission is the one place to restore them without a second code path
 * for creates. Keeping the uid matters: ownerReferences between the group's objects (a SpiderIPPool owned
 * by its SpiderSubnet) name their owner by uid, and the garbage collector deletes a dependent whose owner's
 * uid no longer exists.
 */
final class ClusterIdentity implements KindAdmission {
  /** The values to restore, by "namespace/name", set just before the create and removed after. */
  private final Map<String, Identity> pending = new ConcurrentHashMap<>();
  private final KindAdmission delegate;

  record Identity(String uid, String creationTimestamp) {
  }

  ClusterIdentity(KindAdmission delegate) {
    this.delegate = delegate;
  }

  /** Remembers the cluster's identity of an object about to be created; invalid values are not kept. */
  void expect(String namespace, String name, ObjectNode clusterMeta) {
    String uid = clusterMeta.path("uid").asText("");
    String created = clusterMeta.path("creationTimestamp").asText("");
    pending.put(namespace + "/" + name, new Identity(validUuid(uid) ? uid : null,
        validTimestamp(created) ? created : null));
  }

  void forget(String namespace, String name) {
    pending.remove(namespace + "/" + name);
  }

  @Override
  public void mutate(Operation op, ObjectNode old, ObjectNode obj) {
    if (op == Operation.CREATE && obj.get("metadata") instanceof ObjectNode meta) {
      Identity id = pending.get(meta.path("namespace").asText("") + "/" + meta.path("name").asText());
      if (id != null && id.uid() != null) {
        meta.put("uid", id.uid());
      }
      if (id != null && id.creationTimestamp() != null) {
        meta.put("creationTimestamp", id.creationTimestamp());
      }
    }
    delegate.mutate(op, old, obj);
  }

  @Override
  public Future<Void> validate(SqlConnection tx, Operation op, ObjectNode old, ObjectNode obj) {
    return delegate.validate(tx, op, old, obj);
  }

  /** resources.uid is a uuid column: anything else would fail the insert, so the server's uid stays. */
  private static boolean validUuid(String s) {
    try {
      return !s.isEmpty() && UUID.fromString(s).toString().equalsIgnoreCase(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean validTimestamp(String s) {
    try {
      java.time.OffsetDateTime.parse(s);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
