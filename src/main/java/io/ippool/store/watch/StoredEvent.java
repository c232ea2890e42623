package io.ippool.store.watch;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One row of the event log: the object as it was served at {@code resourceVersion}. */
public record StoredEvent(long resourceVersion, String resource, String namespace, String name, String type,
                          ObjectNode object) {
}
