package io.ippool.spiderpool.admission;

import static io.ippool.spiderpool.admission.AdmissionCase.pool;
import static io.ippool.spiderpool.admission.AdmissionCase.rip;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Objects Spiderpool's webhooks refuse, with the exact status, field, cause type and message a client sees. */
class InvalidObjectsTest {
  private static final String INV = "FieldValueInvalid";
  private static final String FORB = "FieldValueForbidden";
  private static final String NOTSUP = "FieldValueNotSupported";
  private static final String INTERNAL = "InternalError";
  private static final String JOINTLY =
      "total IP addresses of an IPPool are jointly determined by 'spec.ips' and 'spec.excludeIPs'";
  private static final String POOL = "{ipVersion: 4, subnet: 10.6.0.0/16, ips: [10.6.0.1-10.6.0.10]}";

  static Stream<AdmissionCase> cases() {
    return Stream.of(
        // ---- SpiderIPPool CREATE: ipVersion
        pool("ipVersion cannot be derived from a bad subnet", "{subnet: 10.6.0.0/33}")
            .invalid("spec.ipVersion", INV, "spec.ipVersion: Invalid value: \"null\": is not generated correctly, "
                + "'spec.subnet' may be invalid"),
        pool("ipVersion cannot be derived from a missing subnet", "{ips: [10.6.0.1]}")
            .invalid("spec.ipVersion", INV, "spec.ipVersion: Invalid value: \"null\": is not generated correctly, "
                + "'spec.subnet' may be invalid"),
        pool("ipVersion out of enum", "{ipVersion: 976, subnet: 10.6.0.0/16}")
            .invalid("spec.ipVersion", NOTSUP, "spec.ipVersion: Unsupported value: 976: supported values: \"4\", \"6\""),
        pool("IPv4 disabled", "{subnet: 10.6.0.0/16}").settings(false, true)
            .invalid("spec.ipVersion", FORB, "spec.ipVersion: Forbidden: IPv4 is disabled"),
        pool("IPv6 disabled", "{subnet: 'fd00::/64'}").settings(true, false)
            .invalid("spec.ipVersion", FORB, "spec.ipVersion: Forbidden: IPv6 is disabled"),
        // ---- subnet
        pool("v4 subnet with ipVersion 6", "{ipVersion: 6, subnet: 10.6.0.0/16}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": invalid CIDR format in IPv6 '10.6.0.0/16'"),
        pool("v6 subnet with ipVersion 4", "{ipVersion: 4, subnet: 'fd00::/64'}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"fd00::/64\": invalid CIDR format in IPv4 'fd00::/64'"),
        pool("non-canonical v4 subnet", "{subnet: 172.10.5.0/16}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"172.10.5.0/16\": unformatted subnet "
                + "172.10.5.0/16, please change it to 172.10.0.0/16"),
        pool("non-canonical v6 subnet (host bits)", "{subnet: 'fd00::1/64'}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"fd00::1/64\": unformatted subnet fd00::1/64, "
                + "please change it to fd00::/64"),
        pool("non-canonical v6 subnet (upper case)", "{subnet: 'FD00:0:0::/64'}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"FD00:0:0::/64\": unformatted subnet "
                + "FD00:0:0::/64, please change it to fd00::/64"),
        pool("non-canonical prefix with leading zero", "{subnet: 10.6.0.0/016}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/016\": unformatted subnet "
                + "10.6.0.0/016, please change it to 10.6.0.0/16"),
        pool("name already taken", POOL).existing("p|{subnet: 10.7.0.0/16}")
            .status(409, "SpiderIPPool.spiderpool.spidernet.io \"p\" already exists"),
        pool("subnet contains another pool's subnet", POOL).existing("small|{subnet: 10.6.1.0/24}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": overlap with IPPool small "
                + "which 'spec.subnet' is 10.6.1.0/24"),
        pool("subnet inside another pool's subnet", "{subnet: 10.6.1.0/25}").existing("big|{subnet: 10.6.0.0/16}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.1.0/25\": overlap with IPPool big "
                + "which 'spec.subnet' is 10.6.0.0/16"),
        pool("a stored pool has an unparsable subnet", POOL).existing("broken|{ipVersion: 4, subnet: 10.6.0.0/33}")
            .invalid("spec.subnet", INTERNAL, "spec.subnet: Internal error: failed to compare whether 'spec.subnet' "
                + "overlaps: invalid CIDR format in IPv4 '10.6.0.0/33'"),
        // ---- ips / excludeIPs through NewCIDR (reported on spec.subnet)
        pool("address outside the subnet", "{subnet: 172.18.40.0/24, ips: [172.18.41.10]}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"172.18.40.0/24\": not match base subnet: 172.18.41.10"),
        pool("exclude outside the subnet", "{subnet: 10.6.0.0/16, ips: [10.6.0.1-10.6.0.9], excludeIPs: [10.8.0.1]}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": not match base subnet: 10.8.0.1"),
        pool("CIDR notation in ips", "{subnet: 10.6.0.0/16, ips: [10.6.0.0/28]}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": invalid range: 10.6.0.0/28"),
        pool("CIDR notation as a range start", "{subnet: 10.6.0.0/16, ips: [10.6.0.0/28-10.6.0.30]}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": invalid IP address: 10.6.0.0/28"),
        pool("three-part range", "{subnet: 10.6.0.0/16, ips: [10.6.0.1-10.6.0.2-10.6.0.3]}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": invalid range: 10.6.0.1-10.6.0.2-10.6.0.3"),
        pool("octet over 255", "{subnet: 10.6.0.0/16, ips: [10.6.0.256]}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": invalid IP address: 10.6.0.256"),
        pool("leading zero octet", "{subnet: 10.6.0.0/16, ips: [10.6.0.01]}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": invalid IP address: 10.6.0.01"),
        pool("range with spaces", "{subnet: 10.6.0.0/16, ips: ['10.6.0.1 - 10.6.0.2']}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": invalid IP address: 10.6.0.1 "),
        pool("dangling dash", "{subnet: 10.6.0.0/16, ips: [10.6.0.1-]}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": invalid IP address: "),
        pool("IPv6 address in an IPv4 pool", "{subnet: 10.6.0.0/16, ips: ['fd00::1']}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": not match base subnet: fd00::1"),
        pool("IPv6 address outside the IPv6 subnet", "{subnet: 'fd00::/120', ips: ['fd00::1-fd00::1:1']}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"fd00::/120\": not match base subnet: fd00::1:1"),
        pool("ranges inside ips: covered (validation only)", "{ipVersion: 4, subnet: 10.6.0.0/16, "
            + "ips: [10.6.0.1-10.6.0.10, 10.6.0.2-10.6.0.3]}").validationOnly()
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": range 10.6.0.2-10.6.0.3 is "
                + "already covered by 10.6.0.1-10.6.0.10"),
        pool("ranges inside ips: covers (validation only)", "{ipVersion: 4, subnet: 10.6.0.0/16, "
            + "ips: [10.6.0.2-10.6.0.3, 10.6.0.1-10.6.0.10]}").validationOnly()
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": range 10.6.0.1-10.6.0.10 "
                + "covers 10.6.0.2-10.6.0.3"),
        pool("ranges inside ips: overlap (validation only)", "{ipVersion: 4, subnet: 10.6.0.0/16, "
            + "ips: [10.6.0.1-10.6.0.10, 10.6.0.10-10.6.0.20]}").validationOnly()
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": range 10.6.0.10-10.6.0.20 "
                + "overlaps with 10.6.0.1-10.6.0.10"),
        // ---- DELIBERATE TIGHTENING: Spiderpool accepts a reversed range in a pool by swapping it.
        pool("reversed range in ips (tightening)", "{subnet: 10.6.0.0/16, ips: [10.6.0.10-10.6.0.1]}")
            .invalid("spec.ips[0]", INV, "spec.ips[0]: Invalid value: \"10.6.0.10-10.6.0.1\": invalid IP range "
                + "format in IPv4 '10.6.0.10-10.6.0.1'"),
        pool("reversed range second in ips (tightening)", "{subnet: 10.6.0.0/16, ips: [10.6.1.1, 10.6.0.10-10.6.0.1]}")
            .invalid("spec.ips[1]", INV, "spec.ips[1]: Invalid value: \"10.6.0.10-10.6.0.1\": invalid IP range "
                + "format in IPv4 '10.6.0.10-10.6.0.1'"),
        pool("reversed range in excludeIPs (tightening)", "{subnet: 10.6.0.0/16, ips: [10.6.0.1-10.6.0.20], "
            + "excludeIPs: [10.6.0.1, 10.6.0.10-10.6.0.5]}")
            .invalid("spec.excludeIPs[1]", INV, "spec.excludeIPs[1]: Invalid value: \"10.6.0.10-10.6.0.5\": invalid "
                + "IP range format in IPv4 '10.6.0.10-10.6.0.5'"),
        pool("reversed IPv6 range (tightening)", "{subnet: 'fd00::/64', ips: ['fd00::a-fd00::1']}")
            .invalid("spec.ips[0]", INV, "spec.ips[0]: Invalid value: \"fd00::a-fd00::1\": invalid IP range format "
                + "in IPv6 'fd00::a-fd00::1'"),
        // ---- overlap with pools sharing the subnet
        pool("addresses overlap a pool with the same subnet", POOL)
            .existing("other|{subnet: 10.6.0.0/16, ips: [10.6.0.5-10.6.0.20]}")
            .invalid("spec.ips", FORB, "spec.ips: Forbidden: overlap with IPPool other in IP ranges "
                + "[10.6.0.5-10.6.0.20], " + JOINTLY),
        pool("overlap quotes the other pool's raw range once per overlapping piece",
            "{subnet: 10.6.0.0/16, ips: [10.6.0.1-10.6.0.3, 10.6.0.8-10.6.0.9]}")
            .existing("other|{subnet: 10.6.0.0/16, ips: [10.6.0.2-10.6.0.9], excludeIPs: [10.6.0.5]}")
            .invalid("spec.ips", FORB, "spec.ips: Forbidden: overlap with IPPool other in IP ranges "
                + "[10.6.0.2-10.6.0.9 10.6.0.2-10.6.0.9], " + JOINTLY),
        pool("a stored pool with the same subnet is broken", POOL)
            .existing("broken|{subnet: 10.6.0.0/16, ips: [10.7.0.1]}")
            .invalid("spec.subnet", INV, "spec.subnet: Invalid value: \"10.6.0.0/16\": not match base subnet: 10.7.0.1"),
        // ---- gateway
        pool("gateway not an IP", "{subnet: 10.6.0.0/16, gateway: 10.6.0.256}")
            .invalid("spec.gateway", INV, "spec.gateway: Invalid value: \"10.6.0.256\": invalid IP format in IPv4 '10.6.0.256'"),
        pool("IPv6 gateway in an IPv4 pool", "{subnet: 10.6.0.0/16, gateway: 'fd00::1'}")
            .invalid("spec.gateway", INV, "spec.gateway: Invalid value: \"fd00::1\": invalid IP format in IPv4 'fd00::1'"),
        pool("gateway outside the subnet", "{subnet: 10.6.0.0/16, gateway: 10.7.0.1}")
            .invalid("spec.gateway", INV, "spec.gateway: Invalid value: \"10.7.0.1\": not pertains to the "
                + "'spec.subnet' 10.6.0.0/16 of IPPool"),
        pool("gateway inside ips", "{subnet: 10.6.0.0/16, gateway: 10.6.0.5, ips: [10.6.0.1-10.6.0.10]}")
            .invalid("spec.ips[0]", INV, "spec.ips[0]: Invalid value: \"10.6.0.1-10.6.0.10\": conflicts with "
                + "'spec.gateway' 10.6.0.5, add the gateway IP address to 'spec.excludeIPs' or remove it from 'spec.ips'"),
        // ---- routes
        pool("default route v4", "{subnet: 10.6.0.0/16, routes: [{dst: 0.0.0.0/0, gw: 10.6.0.1}]}")
            .invalid("spec.routes[0].dst", INV, "spec.routes[0].dst: Invalid value: \"0.0.0.0/0\": please specify "
                + "'spec.gateway' to configure the default route"),
        pool("default route v6", "{subnet: 'fd00::/64', routes: [{dst: '::/0', gw: 'fd00::1'}]}")
            .invalid("spec.routes[0].dst", INV, "spec.routes[0].dst: Invalid value: \"::/0\": please specify "
                + "'spec.gateway' to configure the default route"),
        pool("duplicate route dst", "{subnet: 10.6.0.0/16, routes: [{dst: 10.7.0.0/16, gw: 10.6.0.1}, "
            + "{dst: 10.7.0.0/16, gw: 10.6.0.2}]}")
            .invalid("spec.routes[1].dst", INV, "spec.routes[1].dst: Invalid value: \"10.7.0.0/16\": duplicate "
                + "route with the same dst"),
        pool("route dst not a CIDR", "{subnet: 10.6.0.0/16, routes: [{dst: 10.7.0.0, gw: 10.6.0.1}]}")
            .invalid("spec.routes[0].dst", INV, "spec.routes[0].dst: Invalid value: \"10.7.0.0\": invalid CIDR "
                + "format in IPv4 '10.7.0.0'"),
        pool("route gw outside the subnet", "{subnet: 10.6.0.0/16, routes: [{dst: 10.7.0.0/16, gw: 10.8.0.1}]}")
            .invalid("spec.routes[0].gw", INV, "spec.routes[0].gw: Invalid value: \"10.8.0.1\": not pertains to "
                + "the 'spec.subnet' 10.6.0.0/16 of IPPool"),
        // ---- podAffinity
        pool("empty podAffinity", "{subnet: 10.6.0.0/16, podAffinity: {}}")
            .invalid("spec.podAffinity", INV, "spec.podAffinity: Invalid value: \"v1.LabelSelector{MatchLabels:"
                + "map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}\": empty podAffinity "
                + "is invalid for SpiderIPPool"),
        pool("bad label value in podAffinity", "{subnet: 10.6.0.0/16, podAffinity: {matchLabels: {app: 'a b'}}}")
            .invalid("spec.podAffinity.matchLabels", INV, "spec.podAffinity.matchLabels: Invalid value: \"a b\": a "
                + "valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
                + "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
                + "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
        pool("bad selector operator", "{subnet: 10.6.0.0/16, podAffinity: {matchExpressions: "
            + "[{key: app, operator: Equals, values: [x]}]}}")
            .invalid("spec.podAffinity.matchExpressions[0].operator", INV, "spec.podAffinity.matchExpressions[0]"
                + ".operator: Invalid value: \"Equals\": not a valid selector operator"),
        pool("In without values", "{subnet: 10.6.0.0/16, podAffinity: {matchExpressions: [{key: app, operator: In}]}}")
            .invalid("spec.podAffinity.matchExpressions[0].values", "FieldValueRequired",
                "spec.podAffinity.matchExpressions[0].values: Required value: must be specified when `operator` is "
                    + "'In' or 'NotIn'"),
        pool("auto-created pool with an extra matchLabel", "{subnet: 10.6.0.0/16, podAffinity: {matchLabels: "
            + "{ipam.spidernet.io/app-name: web, team: a}}}").meta("labels: {ipam.spidernet.io/owner-application-name: web}")
            .invalid("spec.podAffinity", INV, "spec.podAffinity: Invalid value: \"v1.LabelSelector{MatchLabels:"
                + "map[string]string{\\\"ipam.spidernet.io/app-name\\\":\\\"web\\\", \\\"team\\\":\\\"a\\\"}, "
                + "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}\": it's invalid to add additional podAffinity "
                + "matchLabels for auto-created SpiderIPPool"),
        pool("spec error and podAffinity error are both reported", "{subnet: 10.6.0.0/16, gateway: 10.7.0.1, "
            + "podAffinity: {matchLabels: {}}}")
            .invalid("spec.gateway", INV, "[spec.gateway: Invalid value: \"10.7.0.1\": not pertains to the "
                + "'spec.subnet' 10.6.0.0/16 of IPPool, spec.podAffinity: Invalid value: \"v1.LabelSelector{"
                + "MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}\": empty "
                + "podAffinity is invalid for SpiderIPPool]"),
        // ---- SpiderIPPool UPDATE
        pool("update of a terminating pool", POOL).updateFrom(POOL)
            .meta("deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: [spiderpool.spidernet.io]")
            .status(403, "forbidden: cannot update a terminating IPPool"),
        pool("ipVersion changed", "{ipVersion: 6, subnet: 10.6.0.0/16}").updateFrom(POOL)
            .invalid("spec.ipVersion", FORB, "spec.ipVersion: Forbidden: is not changeable"),
        pool("subnet changed", "{subnet: 10.6.0.0/24}").updateFrom(POOL)
            .invalid("spec.subnet", FORB, "spec.subnet: Forbidden: is not changeable"),
        pool("removing an address in use", "{subnet: 10.6.0.0/16, ips: [10.6.0.1-10.6.0.4]}").updateFrom(POOL)
            .allocated("10.6.0.2", "default/pod-2").allocated("10.6.0.5", "default/pod-1")
            .invalid("spec.ips", FORB, "spec.ips: Forbidden: remove an IP address 10.6.0.5 that is being used by "
                + "Pod default/pod-1, " + JOINTLY),
        pool("excluding an address in use (e2e S00003)", "{subnet: 10.6.0.0/16, ips: [10.6.0.1-10.6.0.10], "
            + "excludeIPs: [10.6.0.5]}").updateFrom(POOL).allocated("10.6.0.5", "default/pod-1")
            .invalid("spec.ips", FORB, "spec.ips: Forbidden: remove an IP address 10.6.0.5 that is being used by "
                + "Pod default/pod-1, " + JOINTLY),
        pool("update to a reversed range (tightening)", "{subnet: 10.6.0.0/16, ips: [10.6.0.10-10.6.0.1]}")
            .updateFrom(POOL)
            .invalid("spec.ips[0]", INV, "spec.ips[0]: Invalid value: \"10.6.0.10-10.6.0.1\": invalid IP range "
                + "format in IPv4 '10.6.0.10-10.6.0.1'"),
        pool("update overlapping a neighbour", "{subnet: 10.6.0.0/16, ips: [10.6.0.1-10.6.0.30]}").updateFrom(POOL)
            .existing("other|{subnet: 10.6.0.0/16, ips: [10.6.0.20-10.6.0.40]}")
            .invalid("spec.ips", FORB, "spec.ips: Forbidden: overlap with IPPool other in IP ranges "
                + "[10.6.0.20-10.6.0.40], " + JOINTLY),
        // ---- SpiderReservedIP
        rip("no ips and no ipVersion", "{}")
            .invalid("spec.ipVersion", INV, "spec.ipVersion: Invalid value: \"null\": is not generated correctly, "
                + "'spec.ips' is empty or 'spec.ips[0]' may be invalid"),
        rip("reversed ips[0] leaves ipVersion underivable", "{ips: [10.6.0.10-10.6.0.1]}")
            .invalid("spec.ipVersion", INV, "spec.ipVersion: Invalid value: \"null\": is not generated correctly, "
                + "'spec.ips' is empty or 'spec.ips[0]' may be invalid"),
        rip("reversed second entry", "{ips: [10.6.0.20, 10.6.0.10-10.6.0.1]}")
            .invalid("spec.ips[1]", INV, "spec.ips[1]: Invalid value: \"10.6.0.10-10.6.0.1\": invalid IP range "
                + "format in IPv4 '10.6.0.10-10.6.0.1'"),
        rip("CIDR in reserved ips", "{ipVersion: 4, ips: [10.6.0.0/28]}")
            .invalid("spec.ips[0]", INV, "spec.ips[0]: Invalid value: \"10.6.0.0/28\": invalid IP range format in "
                + "IPv4 '10.6.0.0/28'"),
        rip("IPv6 entry in an IPv4 ReservedIP", "{ips: [10.6.0.1, 'fd00::1']}")
            .invalid("spec.ips[1]", INV, "spec.ips[1]: Invalid value: \"fd00::1\": invalid IP range format in "
                + "IPv4 'fd00::1'"),
        rip("mixed-family range", "{ipVersion: 4, ips: ['10.6.0.1-fd00::1']}")
            .invalid("spec.ips[0]", INV, "spec.ips[0]: Invalid value: \"10.6.0.1-fd00::1\": invalid IP range format "
                + "in IPv4 '10.6.0.1-fd00::1'"),
        rip("ipVersion out of enum", "{ipVersion: 5, ips: [10.6.0.1]}")
            .invalid("spec.ipVersion", NOTSUP, "spec.ipVersion: Unsupported value: 5: supported values: \"4\", \"6\""),
        rip("IPv6 disabled", "{ips: ['fd00::1']}").settings(true, false)
            .invalid("spec.ipVersion", FORB, "spec.ipVersion: Forbidden: IPv6 is disabled"),
        rip("update of a terminating ReservedIP", "{ips: [10.6.0.1]}").updateFrom("{ips: [10.6.0.1]}")
            .meta("deletionTimestamp: '2026-01-01T00:00:00Z'").oldMeta("deletionTimestamp: '2026-01-01T00:00:00Z'")
            .status(403, "forbidden: cannot update a terminating ReservedIP"),
        rip("ipVersion changed", "{ipVersion: 6, ips: ['fd00::1']}").updateFrom("{ips: [10.6.0.1]}")
            .invalid("spec.ipVersion", FORB, "spec.ipVersion: Forbidden: is not changeable"),
        rip("update to a bad entry", "{ips: [10.6.0.1, 10.6.0.x]}").updateFrom("{ips: [10.6.0.1]}")
            .invalid("spec.ips[1]", INV, "spec.ips[1]: Invalid value: \"10.6.0.x\": invalid IP range format in IPv4 "
                + "'10.6.0.x'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rejected(AdmissionCase c) {
    c.assertRejected();
  }
}
