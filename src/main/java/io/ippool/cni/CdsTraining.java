package io.ippool.cni;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Build step, not part of a CNI call: runs ADD, CHECK, DEL and VERSION in-process against a canned
 * unix-socket responder, under {@code -XX:ArchiveClassesAtExit}, so that the AppCDS archive holds
 * every class a real call loads. Usage: {@code java -XX:ArchiveClassesAtExit=x.jsa -cp jar
 * io.ippool.cni.CdsTraining}. The HTTPS/kubeconfig path is not exercised (see cni/README.md).
 * With {@code serve <socket>} it only runs the canned responder, for bench/cni-startup.sh.
 */
public final class CdsTraining {
  private static final String ADD_RESPONSE = "{\"ips\":[{\"version\":4,\"address\":\"10.6.168.133/16\","
      + "\"nic\":\"eth0\",\"ipPool\":\"p\",\"gateway\":\"10.6.0.1\",\"vlan\":0}],"
      + "\"routes\":[{\"ifName\":\"eth0\",\"dst\":\"0.0.0.0/0\",\"gw\":\"10.6.0.1\"}],\"dns\":{}}";

  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("serve")) {
      Path sock = Path.of(args[1]);
      Files.deleteIfExists(sock);
      try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        server.bind(UnixDomainSocketAddress.of(sock));
        serve(server);
      }
      return;
    }
    Path dir = Files.createTempDirectory("ippool-cni-cds");
    Path sock = dir.resolve("s");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      Thread t = new Thread(() -> serve(server), "cds-server");
      t.setDaemon(true);
      t.start();
      String conf = "{\"cniVersion\":\"%s\",\"name\":\"n\",\"type\":\"bridge\",\"ipam\":{\"type\":\"ippool-cni\","
          + "\"ipam_unix_socket_path\":\"" + sock + "\",\"default_ipv4_ippool\":[\"p\"]},"
          + "\"prevResult\":{\"cniVersion\":\"%<s\",\"ips\":[{\"address\":\"10.6.168.133/16\"}]}}";
      PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
      for (String version : CniVersions.SUPPORTED) {
        for (String cmd : new String[] {"VERSION", "ADD", "CHECK", "DEL", "BOGUS"}) {
          Map<String, String> env = new HashMap<>();
          env.put("CNI_COMMAND", cmd);
          env.put("CNI_CONTAINERID", "cds");
          env.put("CNI_NETNS", "/var/run/netns/cds");
          env.put("CNI_IFNAME", "eth0");
          env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;K8S_POD_UID=u");
          InputStream in = new ByteArrayInputStream(String.format(conf, version).getBytes(StandardCharsets.UTF_8));
          new Plugin().run(env, in, sink, sink);
        }
      }
    } finally {
      Files.deleteIfExists(sock);
      Files.deleteIfExists(dir);
    }
  }

  private static void serve(ServerSocketChannel server) {
    while (true) {
      try (SocketChannel c = server.accept()) {
        InputStream in = new BufferedInputStream(Channels.newInputStream(c));
        StringBuilder head = new StringBuilder();
        int length = 0;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
          head.append(line).append('\n');
          if (line.toLowerCase().startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        in.readNBytes(length);
        String body = head.toString().startsWith("POST") ? ADD_RESPONSE : "";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = Channels.newOutputStream(c);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + b.length
            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
      } catch (IOException e) {
        return;
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      if (c != '\r') {
        s.append((char) c);
      }
    }
    return s.toString();
  }
}
