package io.ippool.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** Sends exact bytes to the server (TLS port or IPAM unix socket) and reads what comes back until it closes. */
final class RawHttp {
  /** status 0: the server closed without answering. */
  record Reply(int status, String head, String body) {
  }

  private static final java.util.concurrent.ExecutorService IO = java.util.concurrent.Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "raw-http");
    t.setDaemon(true);
    return t;
  });

  private RawHttp() {
  }

  static byte[] request(String method, String path, String contentType, byte[] body, String... extraHeaders) {
    StringBuilder b = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: localhost\r\n")
        .append("Connection: close\r\n");
    if (contentType != null) {
      b.append("Content-Type: ").append(contentType).append("\r\n");
    }
    for (String h : extraHeaders) {
      b.append(h).append("\r\n");
    }
    if (body != null) {
      b.append("Content-Length: ").append(body.length).append("\r\n");
    }
    b.append("\r\n");
    byte[] head = b.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[head.length + (body == null ? 0 : body.length)];
    System.arraycopy(head, 0, all, 0, head.length);
    if (body != null) {
      System.arraycopy(body, 0, all, head.length, body.length);
    }
    return all;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void close(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // already gone
    }
  }

  static Reply overTls(SSLContext ssl, int port, byte[] request, long timeoutMs) throws Exception {
    try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout((int) timeoutMs);
      return exchange(s.getInputStream(), s.getOutputStream(), request, timeoutMs, () -> close(s));
    }
  }

  static Reply overUnix(Path socket, byte[] request, long timeoutMs) throws Exception {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      // Plain channel reads and writes: the Channels stream wrappers serialise reading and writing.
      InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          return ch.read(java.nio.ByteBuffer.wrap(b, off, len));
        }
      };
      OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, off, len);
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
        }
      };
      return exchange(in, out, request, timeoutMs, () -> close(ch));
    }
  }

  private static Reply exchange(InputStream in, OutputStream out, byte[] request, long timeoutMs,
                                Runnable closer) throws Exception {
    CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          got.write(buf, 0, n);
        }
      } catch (IOException e) {
        // reset by the server after an answer: what was read is the answer
      }
      return got.toByteArray();
    }, IO);
    // Written on its own thread: a server that answers early and stops reading (too large, malformed) must
    // not leave the test blocked in write.
    CompletableFuture.runAsync(() -> {
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // the server answered and closed before reading everything
      }
    }, IO);
    byte[] raw;
    try {
      raw = read.get(timeoutMs, TimeUnit.MILLISECONDS);
    } finally {
      closer.run();
    }
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    if (!text.startsWith("HTTP/")) {
      return new Reply(0, text, "");
    }
    int end = text.indexOf("\r\n\r\n");
    String head = end < 0 ? text : text.substring(0, end);
    String body = end < 0 ? "" : new String(raw, end + 4, raw.length - end - 4, StandardCharsets.UTF_8);
    return new Reply(Integer.parseInt(text.substring(9, 12)), head, body);
  }
}
