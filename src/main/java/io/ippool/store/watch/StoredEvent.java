package io.ippool.store.watch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One row of the event log: the object as it was served at {@code resourceVersion}.
 *
 * <p>An event marked {@code projected} was logged without its costly fields (a SpiderIPPool's allocatedIPs);
 * the hub completes it when some watcher needs them ({@link #complete}) and may drop that completion again
 * once a newer event of the same object exists, so that its ring holds one full map per pool, not one per
 * event. Whoever already took {@link #object()} keeps the complete object it got: nothing is mutated.
 *
 * <p>Renderings (an encoded WatchEvent line, per format) are shared by every watcher that sends the event:
 * a large object is serialised once per format, not once per watcher.
 */
public final class StoredEvent {
  private final long resourceVersion;
  private final String resource;
  private final String namespace;
  private final String name;
  private final String type;
  private final ObjectNode body;
  private final boolean projected;
  private volatile ObjectNode complete;
  private final Map<Object, Object> renderings = new ConcurrentHashMap<>();

  public StoredEvent(long resourceVersion, String resource, String namespace, String name, String type,
                     ObjectNode body, boolean projected) {
    this.resourceVersion = resourceVersion;
    this.resource = resource;
    this.namespace = namespace;
    this.name = name;
    this.type = type;
    this.body = body;
    this.projected = projected;
  }

  /** An event whose object is complete as given. */
  public StoredEvent(long resourceVersion, String resource, String namespace, String name, String type,
                     ObjectNode object) {
    this(resourceVersion, resource, namespace, name, type, object, false);
  }

  public long resourceVersion() {
    return resourceVersion;
  }

  public String resource() {
    return resource;
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  public String type() {
    return type;
  }

  /** The object with its projected fields when they were filled in, else the body as logged. */
  public ObjectNode object() {
    ObjectNode c = complete;
    return c != null ? c : body;
  }

  /** The body as logged: for projected events, without the costly fields (enough for metadata and Table rows). */
  public ObjectNode body() {
    return body;
  }

  /** Whether the logged body leaves out projected fields. */
  public boolean projected() {
    return projected;
  }

  /** Whether {@link #object()} lacks fields a full-object reader needs. */
  public boolean lacksFields() {
    return projected && complete == null;
  }

  /** "namespace/name": events of one object share it. */
  public String key() {
    return namespace + "/" + name;
  }

  /** The same event without its completion or renderings (to complete privately). */
  StoredEvent copy() {
    return new StoredEvent(resourceVersion, resource, namespace, name, type, body, projected);
  }

  /** Sets the complete object (a copy of the body with its projected fields). */
  void complete(ObjectNode full) {
    complete = full;
  }

  /** Forgets the completion and every rendering of it (a newer event of the object superseded it). */
  void forgetCompletion() {
    if (projected) {
      complete = null;
      renderings.clear();
    }
  }

  /**
   * The rendering of this event under {@code key} (e.g. format and event type), made by {@code render} the first
   * time it is asked for. Call it only once the object is as it will be sent (complete if needed).
   */
  @SuppressWarnings("unchecked")
  public <T> T rendering(Object key, Supplier<T> render) {
    return (T) renderings.computeIfAbsent(key, k -> render.get());
  }

  @Override
  public String toString() {
    return type + " " + resource + " " + key() + "@" + resourceVersion;
  }
}
