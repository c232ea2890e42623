package io.ippool.ipam.http;

import io.ippool.store.allocation.SqlAllocationRepository;
import io.ippool.spiderpool.Spiderpool;
import static io.ippool.store.allocation.AllocFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.ipam.Allocator;
import io.ippool.ipam.AllocatorConfig;
import io.ippool.ipam.KubeMetadata;
import io.ippool.store.allocation.AllocFixture;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpamRoutesIT {
  record Reply(int status, String body) {
  }

  private static Reply call(HttpClient client, SocketAddress server, HttpMethod method, String path, String body) {
    RequestOptions o = new RequestOptions().setServer(server).setHost("localhost").setPort(80)
        .setMethod(method).setURI(path);
    return await(client.request(o).compose(req -> {
      req.putHeader("Content-Type", "application/json");
      Future<HttpClientResponse> sent = body == null ? req.send() : req.send(Buffer.buffer(body));
      return sent.compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString())));
    }));
  }

  private static void exercise(HttpClient client, SocketAddress server) {
    assertEquals(new Reply(200, ""), call(client, server, HttpMethod.GET, "/v1/ipam/healthy", null));
    JsonObject args = new JsonObject().put("containerID", "c1").put("ifName", "eth0").put("netNamespace", "/x")
        .put("podNamespace", "default").put("podName", "pod1").put("podUID", "u1")
        .put("defaultIPv4IPPool", new JsonArray().add("web"));
    Reply ok = call(client, server, HttpMethod.POST, "/v1/ipam/ip", args.encode());
    assertEquals(200, ok.status(), ok.body());
    JsonObject resp = new JsonObject(ok.body());
    JsonObject ip = resp.getJsonArray("ips").getJsonObject(0);
    assertEquals("172.18.40.40/24", ip.getString("address"));
    assertEquals("web", ip.getString("ipPool"));
    assertEquals("eth0", ip.getString("nic"));
    assertEquals(4, ip.getInteger("version"));
    assertEquals("172.18.40.1", ip.getString("gateway"));
    assertEquals(new JsonObject().put("ifName", "eth0").put("dst", "0.0.0.0/0").put("gw", "172.18.40.1"),
        resp.getJsonArray("routes").getJsonObject(0));
    // The pool has one address: the next pod fails with the agent's text, as a JSON string, status 500.
    Reply full = call(client, server, HttpMethod.POST, "/v1/ipam/ip",
        args.copy().put("containerID", "c2").put("podName", "pod2").encode());
    assertEquals(500, full.status());
    assertEquals("failed to allocate IP addresses in standard mode: failed to allocate any IPv4 IP address to NIC "
        + "eth0 from IPPools [web]: all IP addresses used out, all IPs have been exhausted", Json.decodeValue(full.body()));
    // Bad input: clear message, nothing allocated.
    // Refused before any work, as go-swagger refuses: 422 for invalid fields, 400 for what does not parse.
    Reply bad = call(client, server, HttpMethod.POST, "/v1/ipam/ip", "{\"ifName\":\"eth0\"}");
    assertEquals(new Reply(422, "{\"code\":602,\"message\":\"containerID in body is required\"}"), bad);
    Reply notJson = call(client, server, HttpMethod.POST, "/v1/ipam/ip", "{nope");
    assertEquals(400, notJson.status());
    assertTrue(new JsonObject(notJson.body()).getString("message").startsWith("parsing body body from"));
    Reply nul = call(client, server, HttpMethod.POST, "/v1/ipam/ip", args.copy().put("containerID", "c\u0000x").encode());
    assertEquals(422, nul.status(), nul.body());
    assertEquals(605, new JsonObject(nul.body()).getInteger("code"));
    Reply longId = call(client, server, HttpMethod.POST, "/v1/ipam/ip",
        args.copy().put("containerID", "c".repeat(3000)).encode());
    assertEquals(new Reply(422, "{\"code\":604,\"message\":\"containerID in body should be at most 256 chars long\"}"),
        longId);
    Reply noIf = call(client, server, HttpMethod.POST, "/v1/ipam/ip", args.copy().put("ifName", "").encode());
    assertEquals(422, noIf.status());
    // DEL of an unknown container succeeds; DEL of the holder frees the address.
    JsonObject del = new JsonObject().put("containerID", "zzz").put("ifName", "eth0").put("podNamespace", "default")
        .put("podName", "ghost").put("podUID", "g");
    assertEquals(200, call(client, server, HttpMethod.DELETE, "/v1/ipam/ip", del.encode()).status());
    assertEquals(200, call(client, server, HttpMethod.DELETE, "/v1/ipam/ip",
        del.copy().put("containerID", "c1").put("podName", "pod1").put("podUID", "u1").encode()).status());
    assertEquals(200, call(client, server, HttpMethod.POST, "/v1/ipam/ip",
        args.copy().put("containerID", "c3").put("podName", "pod3").encode()).status());
    JsonObject batch = new JsonObject().put("containerID", "c3").put("podNamespace", "default")
        .put("podName", "pod3").put("podUID", "u1");
    assertEquals(200, call(client, server, HttpMethod.DELETE, "/v1/ipam/ips", batch.encode()).status());
  }

  @Test
  void tcpAndUnixSocket_sameShape() throws Exception {
    try (AllocFixture fx = AllocFixture.fresh()) {
      fx.pool("web", "172.18.40.0/24", List.of("172.18.40.40"), List.of(), s -> s.put("gateway", "172.18.40.1"));
      Allocator allocator = new Allocator(new SqlAllocationRepository(fx.db), KubeMetadata.standalone(), AllocatorConfig.defaults());
      HttpClient client = fx.vertx.createHttpClient();

      Router router = Router.router(fx.vertx);
      IpamRoutes.mount(router, allocator);
      HttpServer tcp = await(fx.vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
      exercise(client, SocketAddress.inetSocketAddress(tcp.actualPort(), "127.0.0.1"));
      await(tcp.close());

      Path dir = Files.createTempDirectory("ipam-sock");
      Path sock = dir.resolve("spiderpool.sock");
      HttpServer unix = await(IpamSocketServer.start(fx.vertx, sock, allocator));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
      fx.remove(io.ippool.spiderpool.Spiderpool.IPPOOL, "web");
      fx.pool("web", "172.18.40.0/24", List.of("172.18.40.40"), List.of(), s -> s.put("gateway", "172.18.40.1"));
      exercise(client, SocketAddress.domainSocketAddress(sock.toString()));
      await(unix.close());
      await(client.close());
    }
  }
}
