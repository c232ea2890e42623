package io.ippool.store;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A PostgreSQL connection URL as users write it ({@code postgresql://user:pass@host:5432/db?sslmode=...}),
 * with the two forms our libraries need: a JDBC URL for Flyway and the parts for the Vert.x client.
 */
public record DatabaseUrl(String host, int port, String database, String user, String password,
                          Map<String, String> params) {

  public static DatabaseUrl parse(String url) {
    String s = url.startsWith("jdbc:") ? url.substring(5) : url;
    if (s.startsWith("postgres://")) {
      s = "postgresql://" + s.substring("postgres://".length());
    }
    if (!s.startsWith("postgresql://")) {
      throw new IllegalArgumentException("database URL must start with postgresql:// (got " + redact(url) + ")");
    }
    URI u = URI.create(s);
    String user = "postgres";
    String password = null;
    if (u.getRawUserInfo() != null) {
      String[] parts = u.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (u.getRawQuery() != null) {
      for (String kv : u.getRawQuery().split("&")) {
        String[] p = kv.split("=", 2);
        params.put(decode(p[0]), p.length > 1 ? decode(p[1]) : "");
      }
    }
    if (params.containsKey("user")) {
      user = params.remove("user");
    }
    if (params.containsKey("password")) {
      password = params.remove("password");
    }
    String db = u.getPath() == null || u.getPath().length() <= 1 ? "postgres" : u.getPath().substring(1);
    String host = u.getHost() == null ? "127.0.0.1" : u.getHost();
    return new DatabaseUrl(host, u.getPort() < 0 ? 5432 : u.getPort(), db, user, password, Map.copyOf(params));
  }

  public String jdbcUrl() {
    StringBuilder b = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port).append('/')
        .append(database);
    String sep = "?";
    for (var e : params.entrySet()) {
      b.append(sep).append(e.getKey()).append('=').append(e.getValue());
      sep = "&";
    }
    return b.toString();
  }

  /** The URL with its password, for handing to another process or component (never log it). */
  public String toUrl() {
    String auth = encode(user) + (password == null ? "" : ":" + encode(password));
    return "postgresql://" + auth + "@" + host + ":" + port + "/" + database;
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The URL without its password, safe for logs and error messages. */
  public String redacted() {
    return "postgresql://" + user + (password == null ? "" : ":***") + "@" + host + ":" + port + "/" + database;
  }

  public static String redact(String url) {
    return url.replaceAll("(://[^:/@]+:)[^@]*@", "$1***@");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
