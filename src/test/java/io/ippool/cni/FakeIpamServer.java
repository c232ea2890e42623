package io.ippool.cni;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A stand-in for the server's agent endpoint on a unix socket: minimal HTTP/1.1, one request per
 * connection. By default it behaves like the real thing for the happy path: healthy, hands out
 * the configured addresses per (containerID, ifName), is idempotent for a repeated ADD and
 * forgets an allocation on DELETE (an unknown container releases nothing and still succeeds).
 * {@link #override} replaces the answer to test error paths.
 */
final class FakeIpamServer implements AutoCloseable {
  record Request(String method, String path, String body) {
    Map<String, Object> json() {
      return Json.object(Json.parse(body), "body");
    }
  }

  record Reply(int status, String body, long delayMillis) {
    static Reply ok(String body) {
      return new Reply(200, body, 0);
    }
  }

  final Path socket;
  private final Path dir;
  private final ServerSocketChannel server;
  private final Deque<String[]> free = new ArrayDeque<>(); // {address, gateway}
  private final Map<String, String[]> held = new LinkedHashMap<>();
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  volatile Function<Request, Reply> override;
  /** NIC name the allocation is reported for; null = the request's ifName. */
  volatile String nic;

  FakeIpamServer(String... addressAndGateway) throws IOException {
    dir = Files.createTempDirectory("fake-ipam");
    socket = dir.resolve("ipam.sock");
    for (int i = 0; i + 1 < addressAndGateway.length; i += 2) {
      free.add(new String[] {addressAndGateway[i], addressAndGateway[i + 1]});
    }
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Thread t = new Thread(this::serve, "fake-ipam");
    t.setDaemon(true);
    t.start();
  }

  synchronized Map<String, String[]> held() {
    return new LinkedHashMap<>(held);
  }

  private void serve() {
    while (server.isOpen()) {
      SocketChannel c;
      try {
        c = server.accept();
      } catch (IOException e) {
        return;
      }
      // One thread per connection so a deliberately slow reply does not block the next test.
      Thread t = new Thread(() -> handle(c), "fake-ipam-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  private void handle(SocketChannel c) {
    try (c) {
      InputStream in = new BufferedInputStream(Channels.newInputStream(c));
      String requestLine = line(in);
      int length = 0;
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        if (h.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(h.substring(15).trim());
        }
      }
      String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      String[] rl = requestLine.split(" ");
      Request req = new Request(rl[0], rl[1], body);
      requests.add(req);
      Function<Request, Reply> o = override;
      Reply reply = o != null ? o.apply(req) : null;
      if (reply == null) {
        reply = answer(req);
      }
      if (reply.delayMillis() > 0) {
        Thread.sleep(reply.delayMillis());
      }
      byte[] b = reply.body().getBytes(StandardCharsets.UTF_8);
      OutputStream out = Channels.newOutputStream(c);
      out.write(("HTTP/1.1 " + reply.status() + " X\r\nContent-Type: application/json\r\nContent-Length: "
          + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(b);
    } catch (IOException | InterruptedException | RuntimeException e) {
      // the client went away (timeout tests) - nothing to do
    }
  }

  private synchronized Reply answer(Request r) {
    if (r.path().equals("/v1/ipam/healthy")) {
      return Reply.ok("");
    }
    Map<String, Object> args = r.json();
    String key = args.get("containerID") + "/" + args.get("ifName");
    if (r.method().equals("DELETE")) {
      String[] a = held.remove(key);
      if (a != null) {
        free.addFirst(a);
      }
      return Reply.ok("");
    }
    String[] a = held.get(key);
    if (a == null) {
      a = free.poll();
      if (a == null) {
        return new Reply(500, "\"failed to allocate IP addresses in standard mode: all IP addresses used out\"", 0);
      }
      held.put(key, a);
    }
    String n = nic != null ? nic : (String) args.get("ifName");
    int v = a[0].contains(":") ? 6 : 4;
    return Reply.ok("{\"ips\":[{\"version\":" + v + ",\"address\":\"" + a[0] + "\",\"nic\":\"" + n
        + "\",\"ipPool\":\"fake-pool\",\"gateway\":\"" + a[1] + "\",\"vlan\":0}],\"routes\":[{\"ifName\":\""
        + n + "\",\"dst\":\"" + (v == 4 ? "0.0.0.0/0" : "::/0") + "\",\"gw\":\"" + a[1] + "\"}]}");
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      if (c != '\r') {
        s.append((char) c);
      }
    }
    return s.toString();
  }

  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(socket);
    Files.deleteIfExists(dir);
  }
}
