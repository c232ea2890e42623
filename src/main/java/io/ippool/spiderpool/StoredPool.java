package io.ippool.spiderpool;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A pool as stored: its body, allocator shape and fingerprint (null where not read), which an allocation batch
 * compares to make sure the pool is still the one it was planned with.
 */
public record StoredPool(String name, ObjectNode body, boolean deleting, int family, int prefixLength,
                         String fingerprint) {
}
