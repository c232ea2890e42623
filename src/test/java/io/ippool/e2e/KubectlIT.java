package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.testsupport.Kubectl;
import io.ippool.testsupport.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real kubectl against the real server on real PostgreSQL: what an operator does every day. */
class KubectlIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestServer server;
  private static Kubectl kubectl;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(Kubectl.available(), "kubectl is not on the PATH (.ci/run installs it)");
    server = TestServer.start();
    kubectl = new Kubectl(server.kubeconfig());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void apiResources_listsTheGroupWithShortNames() {
    var r = kubectl.run("api-resources", "--api-group=spiderpool.spidernet.io");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().matches("(?s).*spiderippools\\s+sp\\s+spiderpool.spidernet.io/v2beta1\\s+false\\s+SpiderIPPool.*"),
        r.out());
    assertTrue(r.out().matches("(?s).*spiderreservedips\\s+sr\\s+spiderpool.spidernet.io/v2beta1\\s+false\\s+"
        + "SpiderReservedIP.*"), r.out());
    assertTrue(r.out().contains("spiderendpoints"), r.out());
  }

  @Test
  void guideObjects_applyThenGetWithSpiderpoolColumns() throws Exception {
    String guide = Files.readString(Path.of("examples/reserved-ip-guide.yaml"));
    var applied = kubectl.runWithInput(guide, "apply", "-f", "-");
    assertEquals(0, applied.exit(), applied.toString());
    assertTrue(applied.out().contains("spiderreservedip.spiderpool.spidernet.io/test-ipv4-reservedip created"));
    assertTrue(applied.out().contains("spiderippool.spiderpool.spidernet.io/test-ipv4-ippool created"));

    var again = kubectl.runWithInput(guide, "apply", "-f", "-");
    assertEquals(0, again.exit(), again.toString());
    assertTrue(again.out().contains("test-ipv4-ippool unchanged"), again.out());

    var get = kubectl.run("get", "sp", "test-ipv4-ippool");
    assertEquals(0, get.exit(), get.toString());
    String[] lines = get.out().split("\n");
    assertTrue(lines[0].matches("NAME\\s+VERSION\\s+SUBNET\\s+ALLOCATED-IP-COUNT\\s+TOTAL-IP-COUNT\\s+DEFAULT\\s*"),
        lines[0]);
    assertFalse(lines[0].contains("AGE"), "CRDs with printer columns have no Age column");
    assertTrue(lines[1].matches("test-ipv4-ippool\\s+4\\s+10\\.6\\.0\\.0/16\\s+.*false\\s*"), lines[1]);

    var wide = kubectl.run("get", "sp", "test-ipv4-ippool", "-o", "wide");
    assertTrue(wide.out().split("\n")[0].contains("DISABLE"), wide.out());
    var sr = kubectl.run("get", "sr", "test-ipv4-reservedip");
    assertTrue(sr.out().matches("(?s)NAME\\s+VERSION\\s*\ntest-ipv4-reservedip\\s+4\\s*\n"), sr.out());
  }

  @Test
  void yamlRoundTrip_replaceKeepsGenerationAndBumpsResourceVersion() throws Exception {
    create("""
        apiVersion: spiderpool.spidernet.io/v2beta1
        kind: SpiderIPPool
        metadata: {name: roundtrip}
        spec: {subnet: 10.20.0.0/24, ips: [10.20.0.10-10.20.0.20]}
        """);
    var yaml = kubectl.run("get", "sp", "roundtrip", "-o", "yaml");
    assertEquals(0, yaml.exit(), yaml.toString());
    assertTrue(yaml.out().contains("ipam.spidernet.io/ippool-cidr: 10-20-0-0-24"), yaml.out());
    assertTrue(yaml.out().contains("- spiderpool.spidernet.io"), "finalizer added by mutation: " + yaml.out());
    String edited = yaml.out().replace("subnet: 10.20.0.0/24", "gateway: 10.20.0.1\n  subnet: 10.20.0.0/24");
    var replaced = kubectl.runWithInput(edited, "replace", "-f", "-");
    assertEquals(0, replaced.exit(), replaced.toString());
    ObjectNode after = json(kubectl.run("get", "sp", "roundtrip", "-o", "json").out());
    assertEquals("10.20.0.1", after.path("spec").path("gateway").asText());
    assertEquals(2, after.path("metadata").path("generation").asInt(), "spec change bumps generation");

    // The same yaml again carries a stale resourceVersion: kube answers 409 Conflict.
    var stale = kubectl.runWithInput(edited, "replace", "-f", "-");
    assertNotEquals(0, stale.exit());
    assertTrue(stale.err().contains("the object has been modified; please apply your changes to the latest version"),
        stale.toString());
  }

  @Test
  void apply_updatesAnExistingPool() {
    String v1 = """
        apiVersion: spiderpool.spidernet.io/v2beta1
        kind: SpiderIPPool
        metadata: {name: applied}
        spec: {subnet: 10.21.0.0/24, ips: [10.21.0.10]}
        """;
    assertTrue(kubectl.runWithInput(v1, "apply", "-f", "-").out().contains("created"));
    var r = kubectl.runWithInput(v1.replace("[10.21.0.10]", "[10.21.0.10, 10.21.0.11, 10.21.0.12]"), "apply", "-f",
        "-");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("spiderippool.spiderpool.spidernet.io/applied configured"), r.out());
    ObjectNode obj = json(kubectl.run("get", "sp", "applied", "-o", "json").out());
    assertEquals("[\"10.21.0.10-10.21.0.12\"]", obj.path("spec").path("ips").toString(),
        "mutation merges ranges as Spiderpool's webhook does");
  }

  @Test
  void applyWithValidation_rejectsUnknownField() {
    var r = kubectl.runWithInput("""
        apiVersion: spiderpool.spidernet.io/v2beta1
        kind: SpiderIPPool
        metadata: {name: unknownfield}
        spec: {subnet: 10.22.0.0/24, colour: blue}
        """, "apply", "--validate=true", "-f", "-");
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("unknown field \"spec.colour\""), r.toString());
    assertNotEquals(0, kubectl.run("get", "sp", "unknownfield").exit(), "nothing was created");

    var warn = kubectl.runWithInput("""
        apiVersion: spiderpool.spidernet.io/v2beta1
        kind: SpiderIPPool
        metadata: {name: warnedfield}
        spec: {subnet: 10.23.0.0/24, colour: blue}
        """, "apply", "--validate=warn", "-f", "-");
    assertEquals(0, warn.exit(), warn.toString());
    assertTrue(warn.err().contains("Warning: unknown field \"spec.colour\""), warn.toString());
  }

  @Test
  void patch_mergeAndJsonPatch_andStrategicIsRefusedAsForCrds() {
    create("""
        apiVersion: spiderpool.spidernet.io/v2beta1
        kind: SpiderIPPool
        metadata: {name: patched}
        spec: {subnet: 10.24.0.0/24}
        """);
    var merge = kubectl.run("patch", "sp", "patched", "--type=merge", "-p", "{\"spec\":{\"default\":true}}");
    assertEquals(0, merge.exit(), merge.toString());
    var jp = kubectl.run("patch", "sp", "patched", "--type=json", "-p",
        "[{\"op\":\"add\",\"path\":\"/spec/ips\",\"value\":[\"10.24.0.5\"]}]");
    assertEquals(0, jp.exit(), jp.toString());
    ObjectNode obj = json(kubectl.run("get", "sp", "patched", "-o", "json").out());
    assertTrue(obj.path("spec").path("default").asBoolean());
    assertEquals("10.24.0.5", obj.path("spec").path("ips").get(0).asText());
    var smp = kubectl.run("patch", "sp", "patched", "-p", "{\"spec\":{\"default\":false}}");
    assertNotEquals(0, smp.exit());
    assertTrue(smp.err().contains("application/strategic-merge-patch+json is not supported"), smp.toString());
    var immutable = kubectl.run("patch", "sp", "patched", "--type=merge", "-p", "{\"spec\":{\"subnet\":\"10.25.0.0/24\"}}");
    assertTrue(immutable.err().contains("spec.subnet: Forbidden: is not changeable"), immutable.toString());
  }

  @Test
  void serverSideApply_twoManagersConflict_andForceResolves() {
    String mine = """
        apiVersion: spiderpool.spidernet.io/v2beta1
        kind: SpiderIPPool
        metadata: {name: ssa}
        spec: {subnet: 10.70.0.0/24, ips: [10.70.0.10-10.70.0.20], gateway: 10.70.0.1}
        """;
    var created = kubectl.runWithInput(mine, "apply", "--server-side", "-f", "-");
    assertEquals(0, created.exit(), created.toString());
    assertTrue(created.out().contains("spiderippool.spiderpool.spidernet.io/ssa serverside-applied"), created.out());
    assertEquals(0, kubectl.runWithInput(mine, "apply", "--server-side", "-f", "-").exit(), "re-apply is a no-op");

    String theirs = mine.replace("gateway: 10.70.0.1", "gateway: 10.70.0.254");
    var conflict = kubectl.runWithInput(theirs, "apply", "--server-side", "--field-manager=netops", "-f", "-");
    assertNotEquals(0, conflict.exit());
    assertTrue(conflict.err().contains("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.gateway"),
        conflict.toString());

    var forced = kubectl.runWithInput(theirs, "apply", "--server-side", "--field-manager=netops",
        "--force-conflicts", "-f", "-");
    assertEquals(0, forced.exit(), forced.toString());
    ObjectNode obj = json(kubectl.run("get", "sp", "ssa", "-o", "json", "--show-managed-fields").out());
    assertEquals("10.70.0.254", obj.path("spec").path("gateway").asText());
    String managed = obj.path("metadata").path("managedFields").toString();
    assertTrue(managed.contains("\"manager\":\"netops\",\"operation\":\"Apply\""), managed);
    for (var entry : obj.path("metadata").path("managedFields")) {
      if (entry.path("manager").asText().equals("kubectl")) {
        assertTrue(entry.path("fieldsV1").path("f:spec").path("f:gateway").isMissingNode(),
            "forcing took .spec.gateway away from kubectl: " + managed);
      }
    }

    // An Update manager (client-side edit) owning a field shows up with "using <apiVersion>".
    assertEquals(0, kubectl.run("patch", "sp", "ssa", "--type=merge", "-p", "{\"spec\":{\"default\":true}}").exit());
    var vsUpdate = kubectl.runWithInput(mine.replace("gateway: 10.70.0.1", "gateway: 10.70.0.254, default: false"),
        "apply", "--server-side", "--field-manager=netops", "-f", "-");
    assertTrue(vsUpdate.err().contains("conflict with \"kubectl-patch\" using spiderpool.spidernet.io/v2beta1: "
        + ".spec.default"), vsUpdate.toString());
  }

  @Test
  void explain_showsTheSchema() {
    var r = kubectl.run("explain", "sp.spec");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("KIND:       SpiderIPPool"), r.out());
    assertTrue(r.out().contains("subnet\t<string> -required-"), r.out());
    var meta = kubectl.run("explain", "sr.metadata.name");
    assertEquals(0, meta.exit(), meta.toString());
  }

  @Test
  void delete_removesThePoolAndGetSaysNotFound() {
    create("""
        apiVersion: spiderpool.spidernet.io/v2beta1
        kind: SpiderIPPool
        metadata: {name: doomed}
        spec: {subnet: 10.26.0.0/24}
        """);
    var del = kubectl.run("delete", "sp", "doomed");
    assertEquals(0, del.exit(), del.toString());
    assertTrue(del.out().contains("spiderippool.spiderpool.spidernet.io \"doomed\" deleted"), del.out());
    var get = kubectl.run("get", "sp", "doomed");
    assertTrue(get.err().contains("spiderippools.spiderpool.spidernet.io \"doomed\" not found"), get.toString());
  }

  @Test
  void getWatch_printsChangesAsTheyHappen() throws Exception {
    Process w = kubectl.start("get", "sr", "--watch", "--output-watch-events");
    try {
      Thread.sleep(1500);
      create("""
          apiVersion: spiderpool.spidernet.io/v2beta1
          kind: SpiderReservedIP
          metadata: {name: watched}
          spec: {ips: [10.27.0.1]}
          """);
      assertEquals(0, kubectl.run("delete", "sr", "watched").exit());
      String out = readUntil(w, "(?s).*DELETED[^\n]*\n.*", 20_000);
      assertTrue(out.matches("(?s).*ADDED\\s+watched\\s+4.*DELETED\\s+watched\\s+4.*"), out);
    } finally {
      w.destroyForcibly();
    }
  }

  /**
   * {@code kubectl get sp -w} on one replica while another replica takes the writes: each change arrives as a
   * row with Spiderpool's printer columns, and the columns follow the change (TOTAL-IP-COUNT 3, then 4).
   */
  @Test
  void getWatch_showsChangesMadeThroughAnotherReplica_withPrinterColumns() throws Exception {
    TestServer other = TestServer.replicaOf(server);
    Process w = kubectl.start("get", "sp", "--watch", "--output-watch-events");
    try {
      Kubectl viaOther = new Kubectl(other.kubeconfig());
      // kubectl prints nothing for an empty list; give it time to open the watch before the first write.
      Thread.sleep(1500);
      var created = viaOther.runWithInput("""
          apiVersion: spiderpool.spidernet.io/v2beta1
          kind: SpiderIPPool
          metadata: {name: watched-pool}
          spec: {ipVersion: 4, subnet: 10.28.0.0/16, ips: [10.28.0.1-10.28.0.3]}
          """, "create", "-f", "-");
      assertEquals(0, created.exit(), created.toString());
      var patched = viaOther.run("patch", "sp", "watched-pool", "--type=merge", "-p",
          "{\"spec\":{\"ips\":[\"10.28.0.1-10.28.0.4\"]}}");
      assertEquals(0, patched.exit(), patched.toString());
      var deleted = viaOther.run("delete", "sp", "watched-pool");
      assertEquals(0, deleted.exit(), deleted.toString());

      String out = readUntil(w, "(?s).*DELETED\\s+watched-pool[^\n]*\n.*", 20_000);
      String[] lines = out.split("\n");
      assertTrue(lines[0].matches("EVENT\\s+NAME\\s+VERSION\\s+SUBNET\\s+ALLOCATED-IP-COUNT\\s+TOTAL-IP-COUNT\\s+"
          + "DEFAULT\\s*"), out);
      // Pools of other tests show up as initial ADDED rows; the deletion may pass through a MODIFIED row
      // (deletionTimestamp set) before the DELETED one.
      List<String> ours = Arrays.stream(lines).filter(l -> l.contains("watched-pool")).toList();
      assertTrue(ours.size() >= 3, out);
      assertTrue(ours.get(0).matches("ADDED\\s+watched-pool\\s+4\\s+10\\.28\\.0\\.0/16\\s+0\\s+3\\s+false\\s*"), out);
      assertTrue(ours.get(1).matches("MODIFIED\\s+watched-pool\\s+4\\s+10\\.28\\.0\\.0/16\\s+0\\s+4\\s+false\\s*"), out);
      assertTrue(ours.get(ours.size() - 1).matches("DELETED\\s+watched-pool\\s+4\\s+10\\.28\\.0\\.0/16\\s+0\\s+4\\s+"
          + "false\\s*"), out);
    } finally {
      w.destroyForcibly();
      other.close();
    }
  }

  /** Reads the process's output until it matches {@code regex} or the time is up. */
  static String readUntil(Process p, String regex, long timeoutMs) throws Exception {
    StringBuilder sb = new StringBuilder();
    long deadline = System.currentTimeMillis() + timeoutMs;
    var in = p.getInputStream();
    while (System.currentTimeMillis() < deadline && !sb.toString().matches(regex)) {
      if (in.available() > 0) {
        sb.append((char) in.read());
      } else {
        Thread.sleep(20);
      }
    }
    return sb.toString();
  }

  private static void create(String yaml) {
    var r = kubectl.runWithInput(yaml, "create", "-f", "-");
    assertEquals(0, r.exit(), r.toString());
  }

  private static ObjectNode json(String s) {
    try {
      return (ObjectNode) JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(s, e);
    }
  }
}
