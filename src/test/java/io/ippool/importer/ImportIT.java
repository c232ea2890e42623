package io.ippool.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.ippool.Main;
import io.ippool.api.Json;
import io.ippool.api.ResourceKind;
import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.schema.Crds;
import io.ippool.store.DatabaseUrl;
import io.ippool.store.EmbeddedDatabase;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.MockCluster;
import io.ippool.testsupport.TestDatabase;
import io.ippool.testsupport.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * `import` against fabric8's mock kube-apiserver (CRUD mode, the six kinds as custom resources), into a fresh
 * database, checked through a real server on that database.
 */
class ImportIT {
  private static final String GROUP = "/apis/spiderpool.spidernet.io/v2beta1";
  private static final String POD_UID = "11111111-2222-3333-4444-555555555555";

  private static MockCluster kube;
  private static KubernetesClient client;
  private static Map<String, CustomResourceDefinitionContext> contexts = new HashMap<>();
  private static Path kubeconfig;

  @BeforeAll
  static void cluster() throws Exception {
    // Status is not a subresource in the mock so that seeding with create keeps it, as a cluster would
    // after Spiderpool's controllers wrote it.
    for (var spec : Crds.all()) {
      ResourceKind k = spec.kind();
      contexts.put(k.plural(), new CustomResourceDefinitionContext.Builder().withGroup(k.group())
          .withVersion(k.version()).withKind(k.kind()).withPlural(k.plural())
          .withScope(k.namespaced() ? "Namespaced" : "Cluster").withStatusSubresource(false).build());
    }
    kube = MockCluster.serving(List.copyOf(contexts.values()));
    client = kube.client();
    kubeconfig = kube.kubeconfig(Files.createTempDirectory("import-it"), "admin-token");

    String subnetUid = seed("spidersubnets", """
        {"apiVersion": "spiderpool.spidernet.io/v2beta1", "kind": "SpiderSubnet",
         "metadata": {"name": "subnet-a"},
         "spec": {"ipVersion": 4, "subnet": "10.6.0.0/16", "ips": ["10.6.168.100-10.6.168.200"]},
         "status": {"totalIPCount": 101, "allocatedIPCount": 11, "controlledIPPools": "{}"}}
        """).getMetadata().getUid();
    seed("spiderippools", """
        {"apiVersion": "spiderpool.spidernet.io/v2beta1", "kind": "SpiderIPPool",
         "metadata": {"name": "pool-a",
                      "labels": {"team": "net"}, "annotations": {"note": "from-cluster"},
                      "finalizers": ["spiderpool.spidernet.io"],
                      "ownerReferences": [{"apiVersion": "spiderpool.spidernet.io/v2beta1", "kind": "SpiderSubnet",
                                           "name": "subnet-a", "uid": "%s", "controller": true,
                                           "blockOwnerDeletion": true}]},
         "spec": {"ipVersion": 4, "subnet": "10.6.0.0/16", "ips": ["10.6.168.100-10.6.168.110"]},
         "status": {"allocatedIPs": "{\\"10.6.168.100\\":{\\"pod\\":\\"default/web-0\\",\\"podUid\\":\\"%s\\"}}",
                    "allocatedIPCount": 1, "totalIPCount": 11}}
        """.formatted(subnetUid, POD_UID));
    // Not within its own subnet: refused by Spiderpool's pool validation, as the import must report.
    seed("spiderippools", """
        {"apiVersion": "spiderpool.spidernet.io/v2beta1", "kind": "SpiderIPPool",
         "metadata": {"name": "pool-bad"},
         "spec": {"ipVersion": 4, "subnet": "10.7.0.0/16", "ips": ["10.8.0.1"]}}
        """);
    seed("spiderreservedips", """
        {"apiVersion": "spiderpool.spidernet.io/v2beta1", "kind": "SpiderReservedIP",
         "metadata": {"name": "reserved-a"}, "spec": {"ipVersion": 4, "ips": ["10.6.168.101"]}}
        """);
    seed("spiderendpoints", """
        {"apiVersion": "spiderpool.spidernet.io/v2beta1", "kind": "SpiderEndpoint",
         "metadata": {"name": "web-0", "namespace": "default"},
         "status": {"current": {"uid": "%s", "node": "node-1",
                                "ips": [{"interface": "eth0", "ipv4": "10.6.168.100/16", "ipv4Pool": "pool-a",
                                         "vlan": 0}]},
                    "ownerControllerType": "StatefulSet", "ownerControllerName": "web"}}
        """.formatted(POD_UID));
  }

  private static GenericKubernetesResource seed(String plural, String json) {
    GenericKubernetesResource r = client.getKubernetesSerialization().unmarshal(json,
        GenericKubernetesResource.class);
    var op = client.genericKubernetesResources(contexts.get(plural));
    if (r.getMetadata().getNamespace() != null) {
      return op.inNamespace(r.getMetadata().getNamespace()).resource(r).create();
    }
    return op.resource(r).create();
  }

  @AfterAll
  static void stop() {
    if (kube != null) {
      kube.close();
    }
  }

  /** Exit code, stdout, stderr of one `import` run through the real command line. */
  record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }

    /** The summary row of a kind: found, imported, updated, skipped, failed. */
    void row(String kind, int found, int imported, int updated, int skipped, int failed) {
      Pattern p = Pattern.compile("(?m)^" + kind + "\\s+" + found + "\\s+" + imported + "\\s+" + updated + "\\s+"
          + skipped + "\\s+" + failed + "\\s*$");
      assertTrue(p.matcher(out).find(), "row " + kind + " " + List.of(found, imported, updated, skipped, failed)
          + " in\n" + this);
    }
  }

  static Run importer(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 1];
    all[0] = "import";
    System.arraycopy(args, 0, all, 1, args.length);
    int code = cli.execute(all);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void importsServesAllocatesAndIsIdempotent() throws Exception {
    DatabaseUrl db = TestDatabase.fresh();
    String[] base = {"--kubeconfig", kubeconfig.toString(), "--database-url", db.toUrl(), "--progress-every", "1"};

    Run dry = importer(concat(base, "--dry-run"));
    assertEquals(1, dry.code(), dry.toString());
    dry.row("spiderippools", 2, 1, 0, 0, 1);
    dry.row("allocations", 1, 1, 0, 0, 0);
    assertEquals(0, count(db, "SELECT count(*) FROM resources"), "a dry run writes nothing");

    Run first = importer(base);
    assertEquals(1, first.code(), first.toString());
    first.row("spiderippools", 2, 1, 0, 0, 1);
    first.row("spiderreservedips", 1, 1, 0, 0, 0);
    first.row("spidersubnets", 1, 1, 0, 0, 0);
    first.row("spidercoordinators", 0, 0, 0, 0, 0);
    first.row("spidermultusconfigs", 0, 0, 0, 0, 0);
    first.row("spiderendpoints", 1, 1, 0, 0, 0);
    first.row("allocations", 1, 1, 0, 0, 0);
    assertTrue(first.out().contains("spiderippools pool-bad: SpiderIPPool.spiderpool.spidernet.io \"pool-bad\" "
        + "is invalid: "), first.toString());
    assertTrue(first.out().contains("10.8.0.1"), first.toString());
    assertTrue(first.err().contains("spiderippools: 2 found"), first.toString());

    try (Connection c = jdbc(db); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT container_id, if_name, node_name, pod_namespace, pod_name, pod_uid,"
             + " pool FROM ipam_allocations")) {
      assertTrue(r.next());
      assertEquals(List.of("imported:" + POD_UID, "eth0", "node-1", "default", "web-0", POD_UID, "pool-a"),
          List.of(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
              r.getString(7)));
    }
    assertEquals(1, count(db, "SELECT allocated_count FROM ipam_pools WHERE pool = 'pool-a'"));
    assertEquals(1, count(db, "SELECT count(*) FROM ipam_allocation_events WHERE action = 'allocate'"));

    // The mock assigns uid and creationTimestamp itself, as kube-apiserver does: those are the cluster's values.
    var clusterPool = client.genericKubernetesResources(contexts.get("spiderippools")).withName("pool-a").get()
        .getMetadata();
    var clusterSubnet = client.genericKubernetesResources(contexts.get("spidersubnets")).withName("subnet-a").get()
        .getMetadata();
    try (TestServer server = TestServer.start(db, null)) {
      ApiClient api = ApiClient.admin(server);
      JsonNode pool = api.get(GROUP + "/spiderippools/pool-a").json();
      assertEquals(clusterPool.getUid(), pool.at("/metadata/uid").asText(), pool.toString());
      assertEquals(clusterPool.getCreationTimestamp(), pool.at("/metadata/creationTimestamp").asText());
      assertEquals("net", pool.at("/metadata/labels/team").asText());
      assertEquals("from-cluster", pool.at("/metadata/annotations/note").asText());
      assertEquals("spiderpool.spidernet.io", pool.at("/metadata/finalizers/0").asText());
      assertEquals(clusterSubnet.getUid(), pool.at("/metadata/ownerReferences/0/uid").asText());
      assertEquals(Importer.FIELD_MANAGER, pool.at("/metadata/managedFields/0/manager").asText());
      assertEquals(1, pool.at("/status/allocatedIPCount").asInt());
      assertEquals(11, pool.at("/status/totalIPCount").asInt());
      JsonNode allocated = Json.readObject(pool.at("/status/allocatedIPs").asText());
      assertEquals("default/web-0", allocated.at("/10.6.168.100/pod").asText());
      assertEquals(POD_UID, allocated.at("/10.6.168.100/podUid").asText());

      assertEquals(404, api.get(GROUP + "/spiderippools/pool-bad").code());
      assertEquals("10.6.168.101", api.get(GROUP + "/spiderreservedips/reserved-a").json().at("/spec/ips/0").asText());
      JsonNode subnet = api.get(GROUP + "/spidersubnets/subnet-a").json();
      assertEquals(clusterSubnet.getUid(), subnet.at("/metadata/uid").asText());
      assertEquals(101, subnet.at("/status/totalIPCount").asInt(), subnet.toString());
      assertEquals(11, subnet.at("/status/allocatedIPCount").asInt());
      JsonNode ep = api.get(GROUP + "/namespaces/default/spiderendpoints/web-0").json();
      assertEquals("node-1", ep.at("/status/current/node").asText(), ep.toString());
      assertEquals("StatefulSet", ep.at("/status/ownerControllerType").asText());

      // .100 is held by the imported pod and .101 reserved: a new pod gets .102.
      var added = server.server().allocator().allocate(new AddArgs("c-new", "eth0", "/proc/1/ns/net", "default",
          "new-pod", "uid-new", List.of("pool-a"), List.of(), false, false))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals("10.6.168.102/16", added.ips().get(0).address());

      // The invalid pool fixed in the cluster (here: gone), a second run changes nothing and succeeds,
      // even with the server running on the same database.
      client.genericKubernetesResources(contexts.get("spiderippools")).withName("pool-bad").delete();
      Run second = importer(base);
      assertEquals(0, second.code(), second.toString());
      second.row("spiderippools", 1, 0, 0, 1, 0);
      second.row("spiderreservedips", 1, 0, 0, 1, 0);
      second.row("spidersubnets", 1, 0, 0, 1, 0);
      second.row("spiderendpoints", 1, 0, 0, 1, 0);
      second.row("allocations", 1, 0, 0, 1, 0);
      assertEquals(2, count(db, "SELECT allocated_count FROM ipam_pools WHERE pool = 'pool-a'"));

      // --update overwrites what changed in the cluster; the uid stays.
      var pools = client.genericKubernetesResources(contexts.get("spiderippools"));
      GenericKubernetesResource changed = pools.withName("pool-a").get();
      changed.getMetadata().getLabels().put("team", "platform");
      pools.resource(changed).update();
      Run third = importer(concat(base, "--update", "--kinds", "sp"));
      assertEquals(0, third.code(), third.toString());
      third.row("spiderippools", 1, 0, 1, 0, 0);
      JsonNode updated = api.get(GROUP + "/spiderippools/pool-a").json();
      assertEquals("platform", updated.at("/metadata/labels/team").asText());
      assertEquals(clusterPool.getUid(), updated.at("/metadata/uid").asText());
      assertEquals(2, updated.at("/status/allocatedIPCount").asInt());

      // After the migration the pod goes: its CNI DEL names a container Spiderpool never recorded, and still
      // frees the imported address (only for the pod's UID), which is then the lowest free again.
      String del = "{\"containerID\":\"%s\",\"ifName\":\"eth0\",\"podNamespace\":\"default\","
          + "\"podName\":\"web-0\",\"podUID\":\"%s\"}";
      assertEquals(200, api.send("DELETE", "/v1/ipam/ip", "application/json",
          del.formatted("c-sandbox", "not-" + POD_UID), null).code());
      assertEquals(2, api.get(GROUP + "/spiderippools/pool-a").json().at("/status/allocatedIPCount").asInt());
      assertEquals(200, api.send("DELETE", "/v1/ipam/ip", "application/json",
          del.formatted("c-sandbox", POD_UID), null).code());
      JsonNode released = api.get(GROUP + "/spiderippools/pool-a").json();
      assertEquals(1, released.at("/status/allocatedIPCount").asInt(), released.toString());
      assertTrue(Json.readObject(released.at("/status/allocatedIPs").asText()).path("10.6.168.100").isMissingNode());
      var again = server.server().allocator().allocate(new AddArgs("c-next", "eth0", "/proc/1/ns/net", "default",
          "next-pod", "uid-next", List.of("pool-a"), List.of(), false, false))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals("10.6.168.100/16", again.ips().get(0).address());
    }
  }

  @Test
  void badFlagsExitTwo() {
    Run unknownKind = importer("--kubeconfig", kubeconfig.toString(), "--kinds", "pods");
    assertEquals(2, unknownKind.code(), unknownKind.toString());
    assertTrue(unknownKind.err().contains("unknown kind \"pods\""), unknownKind.toString());
    Run noKubeconfig = importer("--database-url", "postgresql://x@127.0.0.1:1/x");
    assertEquals(2, noKubeconfig.code(), noKubeconfig.toString());
  }

  @Test
  void refusesADataDirWhoseDatabaseIsRunning() throws Exception {
    Path dataDir = Files.createTempDirectory("import-datadir");
    try (EmbeddedDatabase running = EmbeddedDatabase.start(dataDir.resolve("postgres"))) {
      Run refused = importer("--kubeconfig", kubeconfig.toString(), "--data-dir", dataDir.toString(),
          "--kinds", "sr");
      assertEquals(1, refused.code(), refused.toString());
      assertTrue(refused.err().contains("is in use"), refused.toString());
    }
    // Once it is stopped, the import starts it, migrates and imports into it.
    Run ok = importer("--kubeconfig", kubeconfig.toString(), "--data-dir", dataDir.toString(), "--kinds", "sr");
    assertEquals(0, ok.code(), ok.toString());
    ok.row("spiderreservedips", 1, 1, 0, 0, 0);
  }

  @Test
  void refusesWhenTheGroupIsAlreadyAggregated() {
    CustomResourceDefinitionContext apiServices = new CustomResourceDefinitionContext.Builder()
        .withGroup("apiregistration.k8s.io").withVersion("v1").withKind("APIService").withPlural("apiservices")
        .withScope("Cluster").build();
    kube.serve(apiServices);
    var op = client.genericKubernetesResources(apiServices);
    op.resource(client.getKubernetesSerialization().unmarshal("""
        {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
         "metadata": {"name": "v2beta1.spiderpool.spidernet.io"},
         "spec": {"group": "spiderpool.spidernet.io", "version": "v2beta1",
                  "service": {"namespace": "ippool-system", "name": "ippool-apiserver"}}}
        """, GenericKubernetesResource.class)).create();
    try {
      Run refused = importer("--kubeconfig", kubeconfig.toString(), "--database-url",
          TestDatabase.fresh().toUrl());
      assertEquals(1, refused.code(), refused.toString());
      assertTrue(refused.err().contains("routes the group to service ippool-system/ippool-apiserver"),
          refused.toString());
    } finally {
      op.withName("v2beta1.spiderpool.spidernet.io").delete();
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static Connection jdbc(DatabaseUrl db) throws Exception {
    return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
  }

  private static long count(DatabaseUrl db, String sql) throws Exception {
    try (Connection c = jdbc(db); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }
}
