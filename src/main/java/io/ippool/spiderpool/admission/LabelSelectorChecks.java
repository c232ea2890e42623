package io.ippool.spiderpool.admission;

import io.ippool.spiderpool.SpecReader;
import com.fasterxml.jackson.databind.JsonNode;
import io.ippool.api.FieldError;
import io.ippool.api.NameValidation;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Spiderpool's validateIPPoolPodAffinity: apimachinery's ValidateLabelSelector (label values must be valid) plus
 * Spiderpool's own rules for empty selectors and for pools auto-created by SpiderSubnet. Messages are
 * apimachinery's. Map keys are checked in sorted order because Go's map order is random.
 */
final class LabelSelectorChecks {
  static final String FIELD = "spec.podAffinity";
  static final String AUTO_POOL_LABEL = "ipam.spidernet.io/owner-application-name";
  private static final List<String> AUTO_POOL_KEYS = List.of("ipam.spidernet.io/app-api-group",
      "ipam.spidernet.io/app-api-version", "ipam.spidernet.io/app-kind", "ipam.spidernet.io/app-namespace",
      "ipam.spidernet.io/app-name");

  private LabelSelectorChecks() {
  }

  static List<FieldError> check(JsonNode selector, boolean autoCreatedPool) {
    List<FieldError> errs = new ArrayList<>();
    if (selector == null || selector.isNull() || selector.isMissingNode()) {
      return errs;
    }
    Map<String, String> labels = labels(selector.get("matchLabels"));
    JsonNode exprs = selector.path("matchExpressions");
    int exprCount = exprs.isArray() ? exprs.size() : 0;
    String rendered = GoSyntax.labelSelector(selector);
    if (autoCreatedPool) {
      for (String k : labels.keySet()) {
        if (!AUTO_POOL_KEYS.contains(k)) {
          errs.add(FieldError.invalid(FIELD, rendered,
              "it's invalid to add additional podAffinity matchLabels for auto-created SpiderIPPool"));
        }
      }
      if (exprCount != 0) {
        errs.add(FieldError.invalid(FIELD, rendered,
            "it's invalid to add additional podAffinity matchExpressions for auto-created SpiderIPPool"));
      }
      return errs;
    }
    String labelsField = FIELD + ".matchLabels";
    for (Map.Entry<String, String> e : labels.entrySet()) {
      for (String msg : NameValidation.qualifiedName(e.getKey())) {
        errs.add(FieldError.invalid(labelsField, e.getKey(), msg));
      }
      for (String msg : NameValidation.labelValue(e.getValue())) {
        errs.add(FieldError.invalid(labelsField, e.getValue(), msg));
      }
    }
    for (int i = 0; i < exprCount; i++) {
      errs.addAll(requirement(exprs.get(i), FIELD + ".matchExpressions[" + i + "]"));
    }
    if (labels.size() + exprCount == 0) {
      errs.add(FieldError.invalid(FIELD, rendered, "empty podAffinity is invalid for SpiderIPPool"));
    }
    return errs;
  }

  private static List<FieldError> requirement(JsonNode req, String path) {
    List<FieldError> errs = new ArrayList<>();
    String op = SpecReader.text(req.path("operator"));
    List<String> values = SpecReader.texts(req.path("values"));
    switch (op) {
      case "In", "NotIn" -> {
        if (values.isEmpty()) {
          errs.add(FieldError.required(path + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
        }
      }
      case "Exists", "DoesNotExist" -> {
        if (!values.isEmpty()) {
          errs.add(FieldError.forbidden(path + ".values",
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
      }
      default -> errs.add(FieldError.invalid(path + ".operator", op, "not a valid selector operator"));
    }
    String key = SpecReader.text(req.path("key"));
    for (String msg : NameValidation.qualifiedName(key)) {
      errs.add(FieldError.invalid(path + ".key", key, msg));
    }
    for (int i = 0; i < values.size(); i++) {
      for (String msg : NameValidation.labelValue(values.get(i))) {
        errs.add(FieldError.invalid(path + ".values[" + i + "]", values.get(i), msg));
      }
    }
    return errs;
  }

  private static Map<String, String> labels(JsonNode node) {
    Map<String, String> m = new TreeMap<>();
    if (node != null && node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(e.getKey(), SpecReader.text(e.getValue()));
      }
    }
    return m;
  }
}
