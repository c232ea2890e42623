package io.ippool.cni;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 exchange: one request per connection ({@code Connection: close}, as
 * Spiderpool's unix-socket client disables keep-alive), bodies by Content-Length, chunked, or EOF.
 */
final class HttpResponse {
  /** Responses are small JSON documents; a larger body means something is wrong. */
  private static final int MAX_BODY = 1 << 20;

  final int status;
  final String body;

  HttpResponse(int status, String body) {
    this.status = status;
    this.body = body;
  }

  static HttpResponse exchange(InputStream in, OutputStream out, String method, String path,
      String host, String authorization, String body) throws IOException {
    byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder req = new StringBuilder();
    req.append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append("\r\n")
        .append("User-Agent: ippool-cni\r\n")
        .append("Accept: application/json\r\n")
        .append("Connection: close\r\n");
    if (authorization != null) {
      req.append("Authorization: ").append(authorization).append("\r\n");
    }
    if (body != null) {
      req.append("Content-Type: application/json\r\n");
    }
    req.append("Content-Length: ").append(payload.length).append("\r\n\r\n");
    out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
    out.write(payload);
    out.flush();
    return read(in);
  }

  static HttpResponse read(InputStream in) throws IOException {
    String statusLine = line(in);
    // "HTTP/1.1 200 OK"
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("malformed HTTP status line: " + statusLine);
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("malformed HTTP status line: " + statusLine);
    }
    long length = -1;
    boolean chunked = false;
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        length = Long.parseLong(value);
      } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
        chunked = true;
      }
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    if (status == 204 || status == 304 || status / 100 == 1) {
      length = 0;
    }
    if (chunked) {
      while (true) {
        String size = line(in);
        int semi = size.indexOf(';');
        long n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
        if (n == 0) {
          // trailers end with an empty line
          while (!line(in).isEmpty()) {
            // skip
          }
          break;
        }
        copy(in, b, n);
        line(in);
      }
    } else if (length >= 0) {
      copy(in, b, length);
    } else {
      copy(in, b, Long.MAX_VALUE);
    }
    return new HttpResponse(status, b.toString(StandardCharsets.UTF_8));
  }

  private static void copy(InputStream in, ByteArrayOutputStream b, long n) throws IOException {
    byte[] buf = new byte[8192];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        if (n == Long.MAX_VALUE) {
          return;
        }
        throw new EOFException("connection closed in the middle of the HTTP body");
      }
      b.write(buf, 0, r);
      left -= r;
      if (b.size() > MAX_BODY) {
        throw new IOException("HTTP body larger than " + MAX_BODY + " bytes");
      }
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed before the HTTP response was complete");
      }
      if (c == '\n') {
        int len = s.length();
        if (len > 0 && s.charAt(len - 1) == '\r') {
          s.setLength(len - 1);
        }
        return s.toString();
      }
      if (s.length() > 16384) {
        throw new IOException("HTTP header line too long");
      }
      s.append((char) c);
    }
  }
}
