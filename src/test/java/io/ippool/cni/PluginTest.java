package io.ippool.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The plugin's main logic against {@link FakeIpamServer}, in-process: no root, no network. */
class PluginTest {
  private FakeIpamServer server;

  record Run(int rc, String out, String err) {
    Map<String, Object> json() {
      return Json.object(Json.parse(out), "stdout");
    }

    int code() {
      return ((Number) json().get("code")).intValue();
    }

    String msg() {
      return (String) json().get("msg");
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = new FakeIpamServer("10.6.168.133/16", "10.6.0.1", "10.6.168.134/16", "10.6.0.1");
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private String conf(String version, String extraIpam) {
    return "{\"cniVersion\":\"" + version + "\",\"name\":\"net1\",\"type\":\"bridge\",\"bridge\":\"br0\","
        + "\"ipam\":{\"type\":\"ippool-cni\",\"ipam_unix_socket_path\":\"" + server.socket + "\""
        + ",\"default_ipv4_ippool\":[\"pool-a\",\"pool-b\"],\"clean_gateway\":false" + extraIpam + "}}";
  }

  private static Map<String, String> env(String command, String container) {
    Map<String, String> env = new HashMap<>();
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", container);
    env.put("CNI_NETNS", "/var/run/netns/test");
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", "/opt/cni/bin");
    env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=pod1;"
        + "K8S_POD_INFRA_CONTAINER_ID=" + container + ";K8S_POD_UID=uid-1");
    return env;
  }

  static Run run(Map<String, String> env, String stdin) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = new Plugin().run(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void version_listsTheFourSupportedVersions_andIgnoresStdin() {
    Run r = run(Map.of("CNI_COMMAND", "VERSION"), "not json");
    assertEquals(0, r.rc());
    assertEquals("1.0.0", r.json().get("cniVersion"));
    assertEquals(List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0"), r.json().get("supportedVersions"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.3.0", "0.3.1", "0.4.0", "1.0.0"})
  void add_printsResultInTheNetconfVersion(String version) {
    Run r = run(env("ADD", "c1"), conf(version, ""));
    assertEquals(0, r.rc(), r.out());
    Map<String, Object> res = r.json();
    assertEquals(version, res.get("cniVersion"));
    Map<String, Object> ip = Json.object(((List<?>) res.get("ips")).get(0), "ip");
    assertEquals("10.6.168.133/16", ip.get("address"));
    assertEquals("10.6.0.1", ip.get("gateway"));
    if (version.equals("1.0.0")) {
      assertFalse(ip.containsKey("version"), "1.0.0 dropped ips[].version");
    } else {
      assertEquals("4", ip.get("version"), "0.3.x/0.4.0 carry the version as a string");
    }
    assertFalse(ip.containsKey("interface"), "an IPAM plugin knows no interface index");
    assertEquals(List.of(Map.of("dst", "0.0.0.0/0", "gw", "10.6.0.1")), res.get("routes"));
    assertEquals(Map.of(), res.get("dns"));
  }

  @Test
  void add_sendsSpiderpoolsIpamAddArgs() {
    run(env("ADD", "c1"), conf("1.0.0", ",\"default_ipv6_ippool\":[\"v6\"],\"match_master_subnet\":true"));
    FakeIpamServer.Request health = server.requests.get(0);
    assertEquals("GET /v1/ipam/healthy", health.method() + " " + health.path());
    FakeIpamServer.Request post = server.requests.get(1);
    assertEquals("POST /v1/ipam/ip", post.method() + " " + post.path());
    Map<String, Object> a = post.json();
    assertEquals("c1", a.get("containerID"));
    assertEquals("eth0", a.get("ifName"));
    assertEquals("/var/run/netns/test", a.get("netNamespace"));
    assertEquals("ns1", a.get("podNamespace"));
    assertEquals("pod1", a.get("podName"));
    assertEquals("uid-1", a.get("podUID"));
    assertEquals(List.of("pool-a", "pool-b"), a.get("defaultIPv4IPPool"));
    assertEquals(List.of("v6"), a.get("defaultIPv6IPPool"));
    assertEquals(false, a.get("cleanGateway"));
    assertEquals(true, a.get("matchMasterSubnet"));
  }

  @Test
  void add_keepsOnlyTheRequestedInterface_andFailsWhenNoneMatches() {
    server.override = req -> req.method().equals("POST") ? FakeIpamServer.Reply.ok(
        "{\"ips\":[{\"version\":4,\"address\":\"10.1.0.5/24\",\"nic\":\"eth0\",\"gateway\":\"\"},"
            + "{\"version\":6,\"address\":\"fd00::5/64\",\"nic\":\"eth0\",\"gateway\":\"fd00::1\"},"
            + "{\"version\":4,\"address\":\"10.2.0.5/24\",\"nic\":\"net1\",\"gateway\":\"10.2.0.1\"}],"
            + "\"routes\":[{\"ifName\":\"net1\",\"dst\":\"0.0.0.0/0\",\"gw\":\"10.2.0.1\"},"
            + "{\"ifName\":\"eth0\",\"dst\":\"10.9.0.0/16\",\"gw\":\"10.1.0.1\"}],"
            + "\"dns\":{\"nameservers\":[\"10.96.0.10\"],\"search\":[\"svc\"]}}") : null;
    Run r = run(env("ADD", "c1"), conf("0.4.0", ""));
    assertEquals(0, r.rc(), r.out());
    assertEquals("{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"4\",\"address\":\"10.1.0.5/24\"},"
        + "{\"version\":\"6\",\"address\":\"fd00::5/64\",\"gateway\":\"fd00::1\"}],"
        + "\"routes\":[{\"dst\":\"10.9.0.0/16\",\"gw\":\"10.1.0.1\"}],"
        + "\"dns\":{\"nameservers\":[\"10.96.0.10\"],\"search\":[\"svc\"]}}", r.out());

    server.override = null;
    server.nic = "net9";
    Run none = run(env("ADD", "c2"), conf("1.0.0", ""));
    assertEquals(1, none.rc());
    assertEquals(CniException.BAD_SERVER_RESPONSE, none.code());
    assertEquals("no Interface eth0 IP allocation found", none.msg());
  }

  @Test
  void add_reportsTheServersMessageWhenThePoolIsExhausted() {
    assertEquals(0, run(env("ADD", "c1"), conf("1.0.0", "")).rc());
    assertEquals(0, run(env("ADD", "c2"), conf("1.0.0", "")).rc());
    Run r = run(env("ADD", "c3"), conf("1.0.0", ""));
    assertEquals(1, r.rc());
    assertEquals(CniException.ALLOCATION_FAILED, r.code());
    assertEquals("failed to allocate IP addresses in standard mode: all IP addresses used out", r.msg());
    assertEquals("1.0.0", r.json().get("cniVersion"));
  }

  @Test
  void add_rejectsAMalformedServerAnswer() {
    server.override = req -> req.method().equals("POST")
        ? FakeIpamServer.Reply.ok("{\"ips\":[{\"version\":4,\"address\":\"10.1.0.300/24\",\"nic\":\"eth0\"}]}") : null;
    Run r = run(env("ADD", "c1"), conf("1.0.0", ""));
    assertEquals(CniException.BAD_SERVER_RESPONSE, r.code());
  }

  @Test
  void add_isTryAgainLater_whenTheServerIsDownOrUnhealthyOrBusy() throws Exception {
    server.override = req -> new FakeIpamServer.Reply(500, "\"database unavailable\"", 0);
    Run unhealthy = run(env("ADD", "c1"), conf("0.3.1", ""));
    assertEquals(CniException.TRY_AGAIN_LATER, unhealthy.code());
    assertTrue(unhealthy.msg().contains("database unavailable"), unhealthy.msg());

    server.override = req -> req.method().equals("POST") ? new FakeIpamServer.Reply(503, "", 0) : null;
    assertEquals(CniException.TRY_AGAIN_LATER, run(env("ADD", "c1"), conf("1.0.0", "")).code());

    server.close();
    Run down = run(env("ADD", "c1"), conf("0.3.1", ""));
    assertEquals(1, down.rc());
    assertEquals(CniException.TRY_AGAIN_LATER, down.code());
    assertEquals("0.3.1", down.json().get("cniVersion"));
    assertTrue(down.msg().startsWith("unhealthy ippool IPAM server"), down.msg());
  }

  @Test
  void add_givesUpAfterTimeoutSeconds() {
    server.override = req -> req.method().equals("POST") ? new FakeIpamServer.Reply(200, "{}", 10_000) : null;
    long t0 = System.nanoTime();
    Run r = run(env("ADD", "c1"), conf("1.0.0", ",\"timeout_seconds\":1"));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(CniException.TRY_AGAIN_LATER, r.code());
    assertTrue(r.msg().contains("did not answer within 1s"), r.msg());
    assertTrue(ms >= 900 && ms < 5000, "took " + ms + " ms");
  }

  @Test
  void del_releases_andSucceedsAgain_andForUnknownContainers() {
    assertEquals(0, run(env("ADD", "c1"), conf("1.0.0", "")).rc());
    assertEquals(1, server.held().size());
    Run first = run(env("DEL", "c1"), conf("1.0.0", ""));
    assertEquals(0, first.rc());
    assertEquals("", first.out(), "DEL prints nothing on success");
    assertTrue(server.held().isEmpty());
    FakeIpamServer.Request del = server.requests.get(server.requests.size() - 1);
    assertEquals("DELETE", del.method());
    assertEquals("uid-1", del.json().get("podUID"));
    assertEquals(0, run(env("DEL", "c1"), conf("1.0.0", "")).rc(), "second DEL");
    assertEquals(0, run(env("DEL", "never-added"), conf("0.3.0", "")).rc(), "DEL of an unknown container");
  }

  @Test
  void del_afterAFailedAdd_andWhenTheServerRefusesTheRelease() {
    server.override = req -> req.path().equals("/v1/ipam/ip")
        ? new FakeIpamServer.Reply(500, "\"endpoint ns1/pod1 not found\"", 0) : null;
    assertEquals(1, run(env("ADD", "c1"), conf("1.0.0", "")).rc());
    Run r = run(env("DEL", "c1"), conf("1.0.0", ""));
    assertEquals(0, r.rc(), r.out());
    assertEquals("", r.out());
    assertTrue(r.err().contains("not found"), "the swallowed error is reported on stderr");
  }

  @Test
  void del_withoutNetns_isAllowed() {
    Map<String, String> env = env("DEL", "c1");
    env.remove("CNI_NETNS");
    assertEquals(0, run(env, conf("1.0.0", "")).rc());
  }

  @Test
  void del_failsWithTryAgainLater_whenTheServerIsUnreachable() throws Exception {
    server.close();
    Run r = run(env("DEL", "c1"), conf("1.0.0", ""));
    assertEquals(1, r.rc());
    assertEquals(CniException.TRY_AGAIN_LATER, r.code());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.3.0", "0.3.1", "0.4.0", "1.0.0"})
  void check_needsVersion040_andAPrevResult(String version) {
    String prev = ",\"prevResult\":{\"cniVersion\":\"" + version + "\",\"ips\":[{\"address\":\"10.6.168.133/16\"}]}";
    String withPrev = conf(version, "").replaceFirst("}}$", "}" + prev + "}");
    Run r = run(env("CHECK", "c1"), withPrev);
    if (version.startsWith("0.3")) {
      assertEquals(CniException.INCOMPATIBLE_VERSION, r.code());
      return;
    }
    assertEquals(0, r.rc(), r.out());
    assertEquals("", r.out());
    Run noPrev = run(env("CHECK", "c1"), conf(version, ""));
    assertEquals(CniException.INVALID_NETCONF, noPrev.code());
  }

  @Test
  void check_failsWhenTheServerIsDown() throws Exception {
    server.close();
    String prev = ",\"prevResult\":{\"ips\":[{\"address\":\"10.6.168.133/16\"}]}";
    Run r = run(env("CHECK", "c1"), conf("1.0.0", "").replaceFirst("}}$", "}" + prev + "}"));
    assertEquals(CniException.TRY_AGAIN_LATER, r.code());
  }

  @Test
  void badInputs_mapToTheSpecsErrorCodes() {
    assertEquals(CniException.INCOMPATIBLE_VERSION, run(env("ADD", "c"), conf("0.2.0", "")).code());
    assertEquals(CniException.DECODE_FAILURE, run(env("ADD", "c"), "{not json").code());
    assertEquals(CniException.INVALID_NETCONF,
        run(env("ADD", "c"), "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\"}").code());
    assertEquals(CniException.INVALID_NETCONF, run(env("ADD", "c"), conf("1.0.0", ",\"clean_gateway\":\"yes\"")).code());
    assertEquals(CniException.INVALID_NETCONF, run(env("ADD", "c"), conf("1.0.0", ",\"timeout_seconds\":0")).code());
    Run badList = run(env("ADD", "c"), conf("1.0.0", "").replace("[\"pool-a\",\"pool-b\"]", "\"pool-a\""));
    assertEquals(CniException.INVALID_NETCONF, badList.code());

    Map<String, String> noIf = env("ADD", "c");
    noIf.remove("CNI_IFNAME");
    Run missing = run(noIf, conf("1.0.0", ""));
    assertEquals(CniException.INVALID_ENV, missing.code());
    assertEquals("required env variables [CNI_IFNAME] missing", missing.msg());
    assertEquals(CniException.INVALID_ENV, run(env("GC", "c"), conf("1.0.0", "")).code());
    assertEquals(CniException.INVALID_ENV, run(Map.of(), conf("1.0.0", "")).code());
    Map<String, String> badArgs = env("ADD", "c");
    badArgs.put("CNI_ARGS", "K8S_POD_NAME");
    assertEquals(CniException.INVALID_ENV, run(badArgs, conf("1.0.0", "")).code());
    assertTrue(server.requests.isEmpty(), "no input error reaches the server");
  }

  @Test
  void errorsAreWellFormedCniErrorObjects() {
    Run r = run(env("ADD", "c"), conf("0.4.0", ",\"timeout_seconds\":\"x\""));
    Map<String, Object> e = r.json();
    assertEquals("0.4.0", e.get("cniVersion"));
    assertEquals(List.of("cniVersion", "code", "msg"), List.copyOf(e.keySet()), "empty details omitted");
  }

  @Test
  void logFile_getsOneLinePerCall(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    java.nio.file.Path log = tmp.resolve("cni.log");
    String c = conf("1.0.0", ",\"log_file_path\":\"" + log + "\"");
    run(env("ADD", "c1"), c);
    run(env("DEL", "c1"), c);
    List<String> lines = java.nio.file.Files.readAllLines(log);
    assertEquals(2, lines.size());
    assertTrue(lines.get(0).contains("ADD container=c1 if=eth0 pod=ns1/pod1 ok"), lines.get(0));
  }
}
