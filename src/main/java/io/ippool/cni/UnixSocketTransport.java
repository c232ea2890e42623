package io.ippool.cni;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;

/** HTTP/1.1 over a unix domain socket (JDK 16+), the agent-style transport Spiderpool uses. */
final class UnixSocketTransport implements Transport {
  private final String path;

  UnixSocketTransport(String path) {
    this.path = path;
  }

  @Override
  public HttpResponse exchange(String method, String urlPath, String body, Deadline deadline)
      throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Deadline.Guard g = deadline.guard(ch)) {
      ch.connect(UnixDomainSocketAddress.of(path));
      return HttpResponse.exchange(
          new BufferedInputStream(Channels.newInputStream(ch)),
          new BufferedOutputStream(Channels.newOutputStream(ch)),
          method, urlPath, "localhost", null, body);
    }
  }

  @Override
  public String describe() {
    return "unix:" + path;
  }
}
