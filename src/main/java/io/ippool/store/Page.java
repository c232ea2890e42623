package io.ippool.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One page of a list, read at {@code resourceVersion}. {@code lastKey} is the (namespace, name) of the last
 * row scanned (not only of the last item returned), where the next page continues; null when done.
 */
public record Page(List<ObjectNode> items, long resourceVersion, String lastNamespace, String lastName,
                   boolean more) {
}
