package io.ippool.spiderpool;

import com.fasterxml.jackson.databind.JsonNode;

/** Whether a pool spec sets a metav1.LabelSelector (matching itself is {@link io.ippool.api.LabelSelectorMatch}). */
final class LabelSelectors {
  private LabelSelectors() {
  }

  /** True when the selector is set (non-null JSON object). */
  static boolean isSet(JsonNode selector) {
    return selector != null && selector.isObject();
  }
}
