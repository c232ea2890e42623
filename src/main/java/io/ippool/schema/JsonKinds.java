package io.ippool.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;

/** How Go's unstructured JSON (int64 / float64 / string / bool / map / slice / nil) would see a Jackson node. */
final class JsonKinds {
  private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private JsonKinds() {
  }

  /** OpenAPI type name of the value: string, boolean, integer, number, array, object or null. */
  static String typeOf(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "null";
    }
    if (v.isTextual()) {
      return "string";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    if (isInt64(v)) {
      return "integer";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isArray()) {
      return "array";
    }
    return "object";
  }

  /** JSON integers that fit int64 decode as int64; anything else numeric decodes as float64. */
  static boolean isInt64(JsonNode v) {
    if (v.isInt() || v.isLong() || v.isShort()) {
      return true;
    }
    if (v.isBigInteger()) {
      BigInteger b = v.bigIntegerValue();
      return b.compareTo(MIN) >= 0 && b.compareTo(MAX) <= 0;
    }
    return false;
  }

  static boolean isIntegral(JsonNode v) {
    if (isInt64(v)) {
      return true;
    }
    double d = v.asDouble();
    return v.isNumber() && !Double.isInfinite(d) && d == Math.rint(d);
  }

  /**
   * The value as field errors should render it: Long for int64, Double for float64 (Go prints whole floats
   * without ".0", so those become Long too), String, Boolean; containers as their compact JSON text.
   */
  static Object badValue(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (isInt64(v)) {
      return v.asLong();
    }
    if (v.isNumber()) {
      double d = v.asDouble();
      return isIntegral(v) && Math.abs(d) < 1e21 ? (Object) (long) d : (Object) d;
    }
    return GoJson.write(v);
  }

  /** Go's %v for a float64 bound such as minimum: whole numbers print without a fraction. */
  static String goNumber(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e21) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }
}
