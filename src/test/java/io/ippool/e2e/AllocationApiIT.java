package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.Kubectl;
import io.ippool.testsupport.TestServer;
import io.ippool.tls.CertificateAuthority;
import io.ippool.tls.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The allocator through the server's own surfaces: the IPAM API on HTTPS, kubectl, and the pool's status. */
class AllocationApiIT {
  private static final String POOLS = "/apis/spiderpool.spidernet.io/v2beta1/spiderippools";
  private static final String RESERVED = "/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips";
  private static TestServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    api = ApiClient.admin(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static ApiClient.Response add(ApiClient client, String container, String pod, String pool) {
    return client.post("/v1/ipam/ip", "application/json", "{\"containerID\":\"" + container + "\",\"ifName\":\"eth0\","
        + "\"netNamespace\":\"/var/run/netns/" + container + "\",\"podNamespace\":\"default\",\"podName\":\"" + pod
        + "\",\"podUID\":\"uid-" + pod + "\",\"defaultIPv4IPPool\":[\"" + pool + "\"]}");
  }

  static ApiClient.Response del(String container, String pod) {
    return api.send("DELETE", "/v1/ipam/ip", "application/json", "{\"containerID\":\"" + container + "\",\"ifName\":"
        + "\"eth0\",\"podNamespace\":\"default\",\"podName\":\"" + pod + "\",\"podUID\":\"uid-" + pod + "\"}", null);
  }

  @Test
  void reservedIpGuide_throughTheApi_withWarningsAndStatus() {
    assertEquals(201, api.post(RESERVED, "application/json", "{\"metadata\":{\"name\":\"guide-r\"},\"spec\":{\"ips\":"
        + "[\"10.6.168.131-10.6.168.132\"]}}").code());
    assertEquals(201, api.post(POOLS, "application/json", "{\"metadata\":{\"name\":\"guide-p\"},\"spec\":{\"subnet\":"
        + "\"10.6.0.0/16\",\"ips\":[\"10.6.168.131-10.6.168.133\"]}}").code());
    var first = add(api, "c1", "pod-a", "guide-p");
    assertEquals(200, first.code(), first.toString());
    assertEquals("10.6.168.133/16", first.json().path("ips").get(0).path("address").asText());
    var second = add(api, "c2", "pod-b", "guide-p");
    assertEquals(500, second.code());
    assertTrue(second.json().asText().endsWith("all IPs have been exhausted"), second.toString());

    JsonNode status = api.get(POOLS + "/guide-p").json().path("status");
    assertEquals(1, status.path("allocatedIPCount").asInt());
    assertEquals(3, status.path("totalIPCount").asInt());
    assertEquals("{\"10.6.168.133\":{\"pod\":\"default/pod-a\",\"podUid\":\"uid-pod-a\"}}",
        status.path("allocatedIPs").asText());

    // Reserving an address a pod holds succeeds, with a Warning naming the holder; the holder keeps it.
    var patched = api.patch(RESERVED + "/guide-r", "application/merge-patch+json",
        "{\"spec\":{\"ips\":[\"10.6.168.131-10.6.168.133\"]}}");
    assertEquals(200, patched.code(), patched.toString());
    String warning = patched.headers().firstValue("Warning").orElse("");
    assertTrue(warning.startsWith("299 - \"") && warning.contains("10.6.168.133") && warning.contains("default/pod-a"),
        warning);
    assertEquals(1, api.get(POOLS + "/guide-p").json().path("status").path("allocatedIPCount").asInt());
    assertEquals(200, del("c1", "pod-a").code());
    assertEquals(500, add(api, "c3", "pod-c", "guide-p").code(), "all three reserved now");

    // Delete the reservation: lowest free first.
    api.delete(RESERVED + "/guide-r", null);
    assertEquals("10.6.168.131/16", add(api, "c4", "pod-d", "guide-p").json().path("ips").get(0).path("address")
        .asText());
    assertEquals("10.6.168.132/16", add(api, "c5", "pod-e", "guide-p").json().path("ips").get(0).path("address")
        .asText());
  }

  @Test
  void poolWithAllocations_staysTerminatingUntilReleased() throws Exception {
    assertEquals(201, api.post(POOLS, "application/json", "{\"metadata\":{\"name\":\"fin-p\"},\"spec\":{\"subnet\":"
        + "\"10.77.0.0/24\",\"ips\":[\"10.77.0.10-10.77.0.20\"]}}").code());
    assertEquals(200, add(api, "fin-c1", "fin-pod", "fin-p").code());
    var marked = api.delete(POOLS + "/fin-p", null);
    assertEquals(200, marked.code(), marked.toString());
    JsonNode meta = marked.json().path("metadata");
    assertFalse(meta.path("deletionTimestamp").isMissingNode(), marked.toString());
    assertEquals("spiderpool.spidernet.io", meta.path("finalizers").get(0).asText());
    assertEquals(500, add(api, "fin-c2", "fin-pod2", "fin-p").code(), "never allocate from a terminating pool");
    assertEquals(200, del("fin-c1", "fin-pod").code());
    long deadline = System.currentTimeMillis() + 10_000;
    while (api.get(POOLS + "/fin-p").code() != 404 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(404, api.get(POOLS + "/fin-p").code(), "the last release lets the pool go");
  }

  @Test
  void ipamOnHttps_isForNodesOnly() throws Exception {
    Path pki = server.dataDir().resolve("pki");
    CertificateAuthority ca = new CertificateAuthority(Pem.readCertificates(Files.readString(pki.resolve("ca.crt")))
        .get(0), Pem.readPrivateKey(Files.readString(pki.resolve("ca.key"))));
    Path dir = Files.createTempDirectory("certs");
    ApiClient node = client(ca, dir, "system:node:worker-1", List.of("system:nodes"));
    ApiClient someone = client(ca, dir, "alice", List.of("developers"));
    api.post(POOLS, "application/json", "{\"metadata\":{\"name\":\"node-p\"},\"spec\":{\"subnet\":\"10.78.0.0/24\","
        + "\"ips\":[\"10.78.0.10\"]}}");
    var denied = add(someone, "n-c0", "n-pod0", "node-p");
    assertEquals(403, denied.code(), denied.toString());
    assertEquals("Forbidden", denied.json().path("reason").asText());
    var ok = add(node, "n-c1", "n-pod1", "node-p");
    assertEquals(200, ok.code(), ok.toString());
  }

  @Test
  void kubectlShowsWarningWhenReservingAnAllocatedAddress() {
    if (!Kubectl.available()) {
      return;
    }
    api.post(POOLS, "application/json", "{\"metadata\":{\"name\":\"warn-p\"},\"spec\":{\"subnet\":\"10.79.0.0/24\","
        + "\"ips\":[\"10.79.0.10\"]}}");
    assertEquals(200, add(api, "w-c1", "w-pod", "warn-p").code());
    var r = new Kubectl(server.kubeconfig()).runWithInput("""
        apiVersion: spiderpool.spidernet.io/v2beta1
        kind: SpiderReservedIP
        metadata: {name: warn-r}
        spec: {ips: [10.79.0.10]}
        """, "apply", "-f", "-");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.err().contains("Warning: ") && r.err().contains("10.79.0.10") && r.err().contains("default/w-pod"),
        r.toString());
    assertNotEquals(-1, r.out().indexOf("created"));
  }

  private static ApiClient client(CertificateAuthority ca, Path dir, String user, List<String> groups)
      throws Exception {
    var issued = ca.issueClient(user, groups, Duration.ofDays(1));
    Path cert = dir.resolve(user.replace(':', '_') + ".crt");
    Path key = dir.resolve(user.replace(':', '_') + ".key");
    Files.writeString(cert, Pem.encode(issued.certificate()));
    Files.writeString(key, Pem.encode(issued.key()));
    return ApiClient.withCertificate(server, cert, key);
  }
}
