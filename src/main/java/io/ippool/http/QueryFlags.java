package io.ippool.http;

/**
 * Boolean query parameters as kube-apiserver converts them: absent, "0" and any case of "false" are false;
 * every other value, the empty one included ({@code ?watch}), is true.
 */
public final class QueryFlags {
  private QueryFlags() {
  }

  public static boolean isTrue(String value) {
    return value != null && !value.equals("0") && !value.equalsIgnoreCase("false");
  }
}
