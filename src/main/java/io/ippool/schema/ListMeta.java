package io.ippool.schema;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** metav1.ListMeta of a list response; empty strings and null count are omitted, as Go's omitempty does. */
public record ListMeta(String resourceVersion, String continueToken, Long remainingItemCount) {

  public static ListMeta of(String resourceVersion) {
    return new ListMeta(resourceVersion, null, null);
  }

  public ObjectNode toJson() {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    if (resourceVersion != null && !resourceVersion.isEmpty()) {
      m.put("resourceVersion", resourceVersion);
    }
    if (continueToken != null && !continueToken.isEmpty()) {
      m.put("continue", continueToken);
    }
    if (remainingItemCount != null) {
      m.put("remainingItemCount", remainingItemCount);
    }
    return m;
  }
}
