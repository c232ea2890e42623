package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.testsupport.Kubectl;
import io.ippool.testsupport.TestServer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Objects Spiderpool's CRD schema or webhooks refuse, created with the real kubectl: each must fail with the
 * field and wording Spiderpool users know, and leave nothing behind.
 */
class InvalidObjectsIT {
  private static TestServer server;
  private static Kubectl kubectl;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(Kubectl.available(), "kubectl is not on the PATH (.ci/run installs it)");
    server = TestServer.start();
    kubectl = new Kubectl(server.kubeconfig());
    var r = kubectl.runWithInput("""
        apiVersion: spiderpool.spidernet.io/v2beta1
        kind: SpiderIPPool
        metadata: {name: existing}
        spec: {subnet: 10.90.0.0/24, ips: [10.90.0.10-10.90.0.20]}
        """, "create", "-f", "-");
    assertEquals(0, r.exit(), r.toString());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        pool("missing-subnet", "ips: [10.0.0.1]", "spec.subnet: Required value"),
        pool("ipversion-5", "ipVersion: 5\n  subnet: 10.1.0.0/16", "spec.ipVersion: Unsupported value: 5: supported "
            + "values: \"4\", \"6\""),
        pool("ipversion-string", "ipVersion: four\n  subnet: 10.1.0.0/16", "spec.ipVersion: Invalid value: "
            + "\"string\": spec.ipVersion in body must be of type integer: \"string\""),
        pool("uncanonical-subnet", "subnet: 10.30.0.5/16", "spec.subnet: Invalid value: \"10.30.0.5/16\": "
            + "unformatted subnet 10.30.0.5/16, please change it to 10.30.0.0/16"),
        pool("garbage-subnet", "subnet: abc", "spec.ipVersion: Invalid value: \"null\": is not generated correctly, "
            + "'spec.subnet' may be invalid"),
        pool("ip-outside-subnet", "subnet: 10.31.0.0/24\n  ips: [10.31.1.10]", "spec.subnet: Invalid value: "
            + "\"10.31.0.0/24\": not match base subnet: 10.31.1.10"),
        pool("reversed-range", "subnet: 10.32.0.0/24\n  ips: [10.32.0.10-10.32.0.1]", "spec.ips[0]: Invalid value: "
            + "\"10.32.0.10-10.32.0.1\": invalid IP range format in IPv4 '10.32.0.10-10.32.0.1'"),
        pool("cidr-in-ips", "subnet: 10.33.0.0/24\n  ips: [10.33.0.0/28]", "spec.subnet: Invalid value: "
            + "\"10.33.0.0/24\": invalid range: 10.33.0.0/28"),
        pool("gateway-outside", "subnet: 10.34.0.0/24\n  gateway: 10.35.0.1", "spec.gateway: Invalid value: "
            + "\"10.35.0.1\": not pertains to the 'spec.subnet' 10.34.0.0/24 of IPPool"),
        pool("gateway-in-ips", "subnet: 10.36.0.0/24\n  ips: [10.36.0.1-10.36.0.9]\n  gateway: 10.36.0.1",
            "spec.ips[0]: Invalid value: \"10.36.0.1-10.36.0.9\": conflicts with 'spec.gateway' 10.36.0.1"),
        pool("gateway-garbage", "subnet: 10.37.0.0/24\n  gateway: nope", "spec.gateway: Invalid value: \"nope\": "
            + "invalid IP format in IPv4 'nope'"),
        pool("default-route", "subnet: 10.38.0.0/24\n  routes: [{dst: 0.0.0.0/0, gw: 10.38.0.1}]",
            "spec.routes[0].dst: Invalid value: \"0.0.0.0/0\": please specify 'spec.gateway' to configure the "
                + "default route"),
        pool("duplicate-route", "subnet: 10.39.0.0/24\n  routes: [{dst: 10.1.0.0/16, gw: 10.39.0.1}, "
            + "{dst: 10.1.0.0/16, gw: 10.39.0.2}]", "spec.routes[1].dst: Invalid value: \"10.1.0.0/16\": duplicate "
            + "route with the same dst"),
        pool("route-gw-outside", "subnet: 10.40.0.0/24\n  routes: [{dst: 10.1.0.0/16, gw: 10.41.0.1}]",
            "spec.routes[0].gw: Invalid value: \"10.41.0.1\""),
        pool("route-dst-garbage", "subnet: 10.42.0.0/24\n  routes: [{dst: nowhere, gw: 10.42.0.1}]",
            "spec.routes[0].dst: Invalid value: \"nowhere\": invalid CIDR format in IPv4 'nowhere'"),
        pool("route-missing-gw", "subnet: 10.43.0.0/24\n  routes: [{dst: 10.1.0.0/16}]",
            "spec.routes[0].gw: Required value"),
        pool("overlapping-subnet", "subnet: 10.90.0.0/16", "spec.subnet: Invalid value: \"10.90.0.0/16\": overlap "
            + "with IPPool existing which 'spec.subnet' is 10.90.0.0/24"),
        pool("overlapping-ips", "subnet: 10.90.0.0/24\n  ips: [10.90.0.15-10.90.0.30]", "spec.ips: Forbidden: "
            + "overlap with IPPool existing in IP ranges [10.90.0.10-10.90.0.20]"),
        pool("empty-pod-affinity", "subnet: 10.44.0.0/24\n  podAffinity: {}", "empty podAffinity is invalid for "
            + "SpiderIPPool"),
        pool("bad-pod-affinity-label", "subnet: 10.45.0.0/24\n  podAffinity: {matchLabels: {app: \"-bad-\"}}",
            "spec.podAffinity.matchLabels"),
        pool("v6-subnet-in-v4-pool", "ipVersion: 4\n  subnet: fd00::/64", "spec.subnet: Invalid value: "
            + "\"fd00::/64\": invalid CIDR format in IPv4 'fd00::/64'"),
        pool("v6-ip-in-v4-pool", "subnet: 10.46.0.0/24\n  ips: [fd00::1]", "spec.subnet: Invalid value: "
            + "\"10.46.0.0/24\": not match base subnet: fd00::1"),
        pool("exclude-outside", "subnet: 10.47.0.0/24\n  excludeIPs: [10.48.0.1]", "not match base subnet: 10.48.0.1"),
        pool("default-not-bool", "subnet: 10.49.0.0/24\n  default: \"yes\"", "spec.default: Invalid value: "
            + "\"string\": spec.default in body must be of type boolean: \"string\""),
        pool("ips-not-array", "subnet: 10.50.0.0/24\n  ips: 10.50.0.1", "spec.ips: Invalid value: \"string\": "
            + "spec.ips in body must be of type array: \"string\""),
        pool("nodename-not-array", "subnet: 10.51.0.0/24\n  nodeName: node-a", "spec.nodeName: Invalid value: "
            + "\"string\": spec.nodeName in body must be of type array"),
        pool("uncanonical-v6-subnet", "subnet: fd00::1/64", "unformatted subnet fd00::1/64, please change it to "
            + "fd00::/64"),
        pool("Bad_Name", "subnet: 10.52.0.0/24", "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 "
            + "subdomain must consist of lower case alphanumeric characters"),
        reserved("reversed-reservation", "ips: [10.60.0.9-10.60.0.1]", "The SpiderReservedIP "
            + "\"reversed-reservation\" is invalid: spec.ipVersion: Invalid value: \"null\": is not generated "
            + "correctly, 'spec.ips' is empty or 'spec.ips[0]' may be invalid"),
        reserved("reversed-second-range", "ips: [10.60.0.1, 10.60.0.9-10.60.0.5]", "spec.ips[1]: Invalid value: "
            + "\"10.60.0.9-10.60.0.5\": invalid IP range format in IPv4 '10.60.0.9-10.60.0.5'"),
        reserved("reservation-version-7", "ipVersion: 7\n  ips: [10.61.0.1]", "spec.ipVersion: Unsupported value: 7: "
            + "supported values: \"4\", \"6\""),
        reserved("reservation-family-mismatch", "ipVersion: 4\n  ips: [fd00::1]", "spec.ips[0]: Invalid value: "
            + "\"fd00::1\": invalid IP range format in IPv4 'fd00::1'"),
        reserved("reservation-cidr", "ips: [10.62.0.0/24]", "is not generated correctly, 'spec.ips' is empty or "
            + "'spec.ips[0]' may be invalid"),
        reserved("reservation-spaces", "ipVersion: 4\n  ips: [\"10.63.0.1 - 10.63.0.5\"]", "spec.ips[0]: Invalid "
            + "value: \"10.63.0.1 - 10.63.0.5\": invalid IP range format in IPv4"),
        reserved("reservation-ips-string", "ips: 10.64.0.1", "spec.ips: Invalid value: \"string\": spec.ips in body "
            + "must be of type array"),
        Arguments.of("duplicate-name", """
            apiVersion: spiderpool.spidernet.io/v2beta1
            kind: SpiderIPPool
            metadata: {name: existing}
            spec: {subnet: 10.90.0.0/24}
            """, "spiderippools.spiderpool.spidernet.io \"existing\" already exists"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void createIsRefused(String name, String yaml, String expected) {
    var r = kubectl.runWithInput(yaml, "create", "-f", "-");
    assertNotEquals(0, r.exit(), r.toString());
    assertTrue(r.err().contains(expected), "expected <" + expected + "> in:\n" + r.err());
    if (!name.equals("duplicate-name")) {
      String kind = yaml.contains("SpiderReservedIP") ? "sr" : "sp";
      var get = kubectl.run("get", kind, name.toLowerCase().replace('_', '-'));
      assertNotEquals(0, get.exit(), "nothing may be stored for a refused object");
    }
  }

  static Arguments pool(String name, String spec, String expected) {
    return Arguments.of(name, "apiVersion: spiderpool.spidernet.io/v2beta1\nkind: SpiderIPPool\nmetadata:\n  name: "
        + name + "\nspec:\n  " + spec + "\n", expected);
  }

  static Arguments reserved(String name, String spec, String expected) {
    return Arguments.of(name, "apiVersion: spiderpool.spidernet.io/v2beta1\nkind: SpiderReservedIP\nmetadata:\n  "
        + "name: " + name + "\nspec:\n  " + spec + "\n", expected);
  }
}
