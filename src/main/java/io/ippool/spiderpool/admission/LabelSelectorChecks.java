package io.ippool.spiderpool.admission;

import io.ippool.spiderpool.SpecReader;
import com.fasterxml.jackson.databind.JsonNode;
import io.ippool.api.FieldError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

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

  private static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  private static final Pattern QUALIFIED_NAME = Pattern.compile("^" + QUALIFIED_NAME_FMT + "$");
  private static final String QUALIFIED_NAME_MSG =
      "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  private static final String LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";
  private static final Pattern LABEL_VALUE = Pattern.compile("^" + LABEL_VALUE_FMT + "$");
  private static final String LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric "
      + "characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  private static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
  private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("^" + DNS1123_SUBDOMAIN_FMT + "$");
  private static final String DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case "
      + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

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
      for (String msg : qualifiedNameErrors(e.getKey())) {
        errs.add(FieldError.invalid(labelsField, e.getKey(), msg));
      }
      for (String msg : labelValueErrors(e.getValue())) {
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
    for (String msg : qualifiedNameErrors(key)) {
      errs.add(FieldError.invalid(path + ".key", key, msg));
    }
    for (int i = 0; i < values.size(); i++) {
      for (String msg : labelValueErrors(values.get(i))) {
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

  /** apimachinery validation.IsQualifiedName. */
  static List<String> qualifiedNameErrors(String value) {
    List<String> errs = new ArrayList<>();
    String[] parts = value.split("/", -1);
    String name;
    if (parts.length == 1) {
      name = parts[0];
    } else if (parts.length == 2) {
      String prefix = parts[0];
      name = parts[1];
      if (prefix.isEmpty()) {
        errs.add("prefix part must be non-empty");
      } else {
        if (prefix.length() > 253) {
          errs.add("prefix part must be no more than 253 characters");
        }
        if (!DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
          errs.add("prefix part " + regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"));
        }
      }
    } else {
      errs.add("a qualified name " + regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
          + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errs;
    }
    if (name.isEmpty()) {
      errs.add("name part must be non-empty");
    } else if (name.length() > 63) {
      errs.add("name part must be no more than 63 characters");
    }
    if (!QUALIFIED_NAME.matcher(name).matches()) {
      errs.add("name part " + regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
    }
    return errs;
  }

  /** apimachinery validation.IsValidLabelValue. */
  static List<String> labelValueErrors(String value) {
    List<String> errs = new ArrayList<>();
    if (value.length() > 63) {
      errs.add("must be no more than 63 characters");
    }
    if (!LABEL_VALUE.matcher(value).matches()) {
      errs.add(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
    }
    return errs;
  }

  /** apimachinery validation.RegexError, including its double space before "or". */
  private static String regexError(String msg, String fmt, String... examples) {
    StringBuilder b = new StringBuilder(msg).append(" (e.g. ");
    for (int i = 0; i < examples.length; i++) {
      if (i > 0) {
        b.append(" or ");
      }
      b.append('\'').append(examples[i]).append("', ");
    }
    return b.append("regex used for validation is '").append(fmt).append("')").toString();
  }
}
