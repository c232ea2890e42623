package io.ippool.schema;

import io.ippool.api.JsonStrings;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Compact JSON the way Go's encoding/json.Marshal writes an unstructured value: object keys sorted, '<', '>'
 * and '&' escaped as \\u003c etc., whole floats without a fraction. Printer-column cells of type string show
 * arrays and maps in exactly this form, so kubectl output matches byte for byte.
 */
final class GoJson {
  private GoJson() {
  }

  static String write(JsonNode v) {
    StringBuilder b = new StringBuilder();
    append(b, v);
    return b.toString();
  }

  private static void append(StringBuilder b, JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      b.append("null");
    } else if (v.isTextual()) {
      JsonStrings.appendGo(b, v.asText());
    } else if (v.isBoolean()) {
      b.append(v.asBoolean());
    } else if (JsonKinds.isInt64(v)) {
      b.append(v.asLong());
    } else if (v.isNumber()) {
      b.append(floatText(v.asDouble()));
    } else if (v.isArray()) {
      b.append('[');
      for (int i = 0; i < v.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        append(b, v.get(i));
      }
      b.append(']');
    } else {
      List<String> keys = new ArrayList<>();
      v.fieldNames().forEachRemaining(keys::add);
      Collections.sort(keys);
      b.append('{');
      for (int i = 0; i < keys.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        JsonStrings.appendGo(b, keys.get(i));
        b.append(':');
        append(b, v.get(keys.get(i)));
      }
      b.append('}');
    }
  }

  /** Go formats float64 with 'f' for 1e-6 <= |x| < 1e21 and 'e' otherwise, shortest round-trip digits. */
  static String floatText(double d) {
    double abs = Math.abs(d);
    if (abs == 0 || (abs >= 1e-6 && abs < 1e21)) {
      String s = new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
      return s.equals("-0") ? "-0" : s;
    }
    String s = Double.toString(d).replace('E', 'e');
    int e = s.indexOf('e');
    String mant = s.substring(0, e);
    if (mant.endsWith(".0")) {
      mant = mant.substring(0, mant.length() - 2);
    }
    String exp = s.substring(e + 1);
    boolean neg = exp.startsWith("-");
    String digits = neg ? exp.substring(1) : exp;
    if (digits.length() < 2) {
      digits = "0" + digits;
    }
    return mant + "e" + (neg ? "-" : "+") + digits;
  }
}
