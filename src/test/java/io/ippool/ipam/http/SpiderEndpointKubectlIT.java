package io.ippool.ipam.http;

import static io.ippool.store.allocation.AllocFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ippool.testsupport.Kubectl;
import io.ippool.testsupport.TestDatabase;
import io.ippool.testsupport.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `kubectl get se` after a CNI ADD through the IPAM socket shows the pod's address, interface and pool. */
class SpiderEndpointKubectlIT {

  private static int call(HttpClient client, SocketAddress socket, HttpMethod method, JsonObject body) {
    RequestOptions o = new RequestOptions().setServer(socket).setHost("localhost").setPort(80).setMethod(method)
        .setURI("/v1/ipam/ip");
    return await(client.request(o).compose(req -> req.putHeader("Content-Type", "application/json")
        .send(Buffer.buffer(body.encode())).compose(resp -> resp.body().map(b -> resp.statusCode()))));
  }

  @Test
  void getSe_showsTheAddressInterfaceAndPool_andTheRecordGoesWithTheRelease() throws Exception {
    assumeTrue(Kubectl.available(), "kubectl is not on the PATH (.ci/run installs it)");
    Path dir = Files.createTempDirectory("se-kubectl");
    Path socket = dir.resolve("ipam.sock");
    Vertx vertx = Vertx.vertx();
    try (TestServer server = TestServer.start(TestDatabase.fresh(), socket)) {
      Kubectl kubectl = new Kubectl(server.kubeconfig());
      Kubectl.Result applied = kubectl.runWithInput("""
          apiVersion: spiderpool.spidernet.io/v2beta1
          kind: SpiderIPPool
          metadata: {name: se-v4}
          spec: {subnet: 10.9.0.0/24, ips: [10.9.0.40-10.9.0.49], gateway: 10.9.0.1}
          """, "apply", "-f", "-");
      assertEquals(0, applied.exit(), applied.toString());

      HttpClient client = vertx.createHttpClient();
      SocketAddress at = SocketAddress.domainSocketAddress(socket.toString());
      JsonObject add = new JsonObject().put("containerID", "c-se").put("ifName", "eth0").put("netNamespace", "/x")
          .put("podNamespace", "shop").put("podName", "cart-0").put("podUID", "u-cart")
          .put("defaultIPv4IPPool", new JsonArray().add("se-v4"));
      assertEquals(200, call(client, at, HttpMethod.POST, add));

      Kubectl.Result got = kubectl.run("get", "se", "-n", "shop");
      assertEquals(0, got.exit(), got.toString());
      String[] lines = got.out().strip().split("\n");
      assertEquals(2, lines.length, got.out());
      assertEquals(List.of("NAME", "INTERFACE", "IPV4POOL", "IPV4", "IPV6POOL", "IPV6", "NODE"),
          List.of(lines[0].trim().split("\\s+")));
      // No IPv6 and no node (standalone): those cells are empty, so the row has five words.
      assertEquals(List.of("cart-0", "eth0", "se-v4", "10.9.0.40/24"), List.of(lines[1].trim().split("\\s+")).subList(0, 4));

      Kubectl.Result yaml = kubectl.run("get", "se", "cart-0", "-n", "shop", "-o",
          "jsonpath={.status.current.uid} {.status.ownerControllerType} {.status.current.ips[0].ipv4Gateway}");
      assertEquals("u-cart Pod 10.9.0.1", yaml.out(), yaml.toString());

      assertEquals(200, call(client, at, HttpMethod.DELETE, new JsonObject().put("containerID", "c-se")
          .put("ifName", "eth0").put("podNamespace", "shop").put("podName", "cart-0").put("podUID", "u-cart")));
      Kubectl.Result after = kubectl.run("get", "se", "-n", "shop");
      assertTrue(after.all().contains("No resources found"), after.toString());
    } finally {
      await(vertx.close());
    }
  }
}
