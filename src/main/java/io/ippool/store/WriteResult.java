package io.ippool.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The outcome of a write. {@code object} is the object as served afterwards (for a final delete: the last
 * state, with the delete's resourceVersion). {@code removed} tells a final delete from a marking one.
 */
public record WriteResult(ObjectNode object, boolean changed, boolean removed, List<String> warnings) {
}
