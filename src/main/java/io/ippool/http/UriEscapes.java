package io.ippool.http;

/**
 * Whether a request target's percent-escapes are well formed. A malformed one ("%zz", a trailing "%") is the
 * client's error, answered 400 before routing; left to the router it surfaced as a 500 from deep inside
 * path and query decoding.
 */
public final class UriEscapes {
  private UriEscapes() {
  }

  /** The first malformed escape of {@code uri}, or null when every '%' starts two hex digits. */
  public static String malformed(String uri) {
    for (int i = uri.indexOf('%'); i >= 0; i = uri.indexOf('%', i + 1)) {
      if (i + 2 >= uri.length() || hex(uri.charAt(i + 1)) || hex(uri.charAt(i + 2))) {
        return uri.substring(i, Math.min(uri.length(), i + 3));
      }
    }
    return null;
  }

  private static boolean hex(char c) {
    return Character.digit(c, 16) < 0;
  }
}
