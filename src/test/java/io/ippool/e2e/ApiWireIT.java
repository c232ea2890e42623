package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Wire-level behaviour kube-apiserver clients depend on, and the Status answers to bad input. */
class ApiWireIT {
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

  static String pool(String name, String subnet) {
    return "{\"apiVersion\":\"spiderpool.spidernet.io/v2beta1\",\"kind\":\"SpiderIPPool\",\"metadata\":{\"name\":\""
        + name + "\"},\"spec\":{\"subnet\":\"" + subnet + "\"}}";
  }

  private static void assertStatus(ApiClient.Response r, int code, String reason, String messagePart) {
    assertEquals(code, r.code(), r.toString());
    JsonNode s = r.json();
    assertEquals("Status", s.path("kind").asText(), r.toString());
    assertEquals("Failure", s.path("status").asText());
    assertEquals(code, s.path("code").asInt());
    if (reason != null) {
      assertEquals(reason, s.path("reason").asText(), r.toString());
    }
    assertTrue(s.path("message").asText().contains(messagePart), r.toString());
  }

  @Test
  void metadataOfTheWrongType_isUndecodable400_andNotStored() {
    String[] bodies = {
        "{\"metadata\":{\"name\":\"wt1\",\"annotations\":{\"a\":[\"x\"]}},\"spec\":{\"subnet\":\"10.1.0.0/16\"}}",
        "{\"metadata\":{\"name\":\"wt2\",\"annotations\":{\"a\":12}},\"spec\":{\"subnet\":\"10.1.0.0/16\"}}",
        "{\"metadata\":{\"name\":\"wt3\",\"labels\":{\"a\":{\"b\":\"c\"}}},\"spec\":{\"subnet\":\"10.1.0.0/16\"}}",
        "{\"metadata\":{\"name\":12345},\"spec\":{\"subnet\":\"10.1.0.0/16\"}}",
        "{\"metadata\":{\"name\":\"wt5\",\"finalizers\":[1]},\"spec\":{\"subnet\":\"10.1.0.0/16\"}}",
        "{\"metadata\":{\"name\":\"wt6\",\"labels\":[\"a\"]},\"spec\":{\"subnet\":\"10.1.0.0/16\"}}"};
    for (String body : bodies) {
      assertStatus(api.post(POOLS, "application/json", body), 400, "BadRequest",
          "SpiderIPPool in version \"v2beta1\" cannot be handled as a SpiderIPPool: json: cannot unmarshal");
    }
    for (String name : new String[] {"wt1", "wt2", "wt3", "wt5", "wt6"}) {
      assertEquals(404, api.get(POOLS + "/" + name).code(), name);
    }
    assertTrue(api.get(POOLS).json().path("items").findValues("name").stream()
        .noneMatch(n -> !n.isTextual()), "every stored name is a string");
    // A merge patch that would make a label value an object is refused the same way.
    assertEquals(201, api.post(POOLS, "application/json", pool("wt7", "10.2.0.0/16")).code());
    assertStatus(api.patch(POOLS + "/wt7", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"a\":{\"b\":1}}}}"), 400, "BadRequest", "cannot unmarshal object");
    assertEquals(200, api.delete(POOLS + "/wt7", null).code());
  }

  @Test
  void duplicateKeys_warnByDefault_refusedWhenStrict() {
    String body = "{\"metadata\":{\"name\":\"dup1\",\"name\":\"dup1\"},\"spec\":{\"subnet\":\"10.3.0.0/16\"}}";
    ApiClient.Response warned = api.post(POOLS + "?fieldValidation=Warn", "application/json", body);
    assertEquals(201, warned.code(), warned.toString());
    assertTrue(warned.headers().allValues("Warning").stream().anyMatch(w -> w.contains("duplicate field")),
        warned.headers().toString());
    assertStatus(api.post(POOLS + "?fieldValidation=Strict", "application/json",
        body.replace("dup1", "dup2")), 400, "BadRequest", "duplicate field");
    assertEquals(200, api.delete(POOLS + "/dup1", null).code());
  }

  @Test
  void discovery_documents() {
    var v = api.get("/version").json();
    assertEquals("1", v.path("major").asText());
    assertEquals("32", v.path("minor").asText());
    assertEquals(0, api.get("/api").json().path("versions").size());
    var list = api.get("/apis/spiderpool.spidernet.io/v2beta1").json();
    JsonNode first = list.path("resources").get(0);
    assertEquals("spiderippools", first.path("name").asText());
    assertEquals("[\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\",\"create\",\"update\",\"watch\"]",
        first.path("verbs").toString());
    assertEquals("QLCm9TZ2Fgs=", first.path("storageVersionHash").asText());
    assertEquals("spiderippools/status", list.path("resources").get(1).path("name").asText());
    var agg = api.get("/apis", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    assertEquals("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        agg.headers().firstValue("Content-Type").orElse(""));
    assertEquals("APIGroupDiscoveryList", agg.json().path("kind").asText());
    assertEquals(200, api.get("/livez").code());
    assertEquals(200, api.get("/readyz").code());
  }

  @Test
  void anonymous_isUnauthorizedExceptHealth() {
    ApiClient anon = ApiClient.anonymous(server);
    assertStatus(anon.get(POOLS), 401, "Unauthorized", "Unauthorized");
    assertEquals(200, anon.get("/healthz").code());
  }

  @Test
  void badBodies_getStatusErrors() {
    assertStatus(api.post(POOLS, "application/json", "{\"apiVersion\": "), 400, "BadRequest",
        "SpiderIPPool in version \"v2beta1\" cannot be handled as a SpiderIPPool");
    assertStatus(api.post(POOLS, "application/yaml", "spec: [unclosed"), 400, "BadRequest", "cannot be handled");
    assertStatus(api.post(POOLS, "text/plain", pool("x", "10.1.0.0/24")), 415, "UnsupportedMediaType",
        "the body of the request was in an unknown format");
    assertStatus(api.post(POOLS, "application/json", pool("x", "10.1.0.0/24").replace("v2beta1", "v1")), 400,
        "BadRequest", "the API version in the data (spiderpool.spidernet.io/v1) does not match the expected API "
            + "version (spiderpool.spidernet.io/v2beta1)");
    assertStatus(api.post(POOLS, "application/json", pool("x", "10.1.0.0/24").replace("\"SpiderIPPool\"",
        "\"SpiderReservedIP\"")), 400, "BadRequest", "does not match the expected kind");
    String huge = pool("huge", "10.1.0.0/24").replace("}}", "},\"x\":\"" + "a".repeat(3 * 1024 * 1024) + "\"}");
    assertStatus(api.post(POOLS, "application/json", huge), 413, "RequestEntityTooLarge", "Request entity too large");
    assertStatus(api.post(POOLS + "?fieldValidation=Strict", "application/json",
        "{\"apiVersion\":\"spiderpool.spidernet.io/v2beta1\",\"kind\":\"SpiderIPPool\",\"metadata\":{\"name\":\"d\"},"
            + "\"spec\":{\"subnet\":\"10.1.0.0/24\",\"subnet\":\"10.2.0.0/24\"}}"), 400, "BadRequest",
        "duplicate field \"subnet\"");
    assertStatus(api.post(POOLS + "?dryRun=Some", "application/json", pool("x", "10.1.0.0/24")), 422, "Invalid",
        "CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: \"Some\"");
    assertEquals(404, api.get(POOLS + "/x").code(), "nothing half-written");
  }

  @Test
  void unknownPaths_and_verbs() {
    assertStatus(api.get("/apis/spiderpool.spidernet.io/v2beta1/widgets"), 404, "NotFound",
        "the server could not find the requested resource");
    assertStatus(api.get("/apis/spiderpool.spidernet.io/v2beta1/namespaces/default/spiderippools"), 404,
        "NotFound", "could not find");
    assertStatus(api.get(POOLS + "/nope/scale"), 404, "NotFound", "could not find");
    api.post(POOLS, "application/json", pool("verbs", "10.3.0.0/24"));
    assertStatus(api.send("POST", POOLS + "/verbs/status", "application/json", "{}", null), 405,
        "MethodNotAllowed", "not supported");
    assertStatus(api.get(POOLS + "?fieldSelector=spec.subnet%3D10.3.0.0%2F24"), 400, "BadRequest",
        "field label not supported: spec.subnet");
    assertStatus(api.get(POOLS + "?labelSelector=a%20in%20b"), 400, "BadRequest", "unable to parse requirement");
  }

  @Test
  void create_generateName_dryRun_andAlreadyExists() {
    var gen = api.post(POOLS, "application/json", pool("", "10.4.0.0/24").replace("\"name\":\"\"",
        "\"generateName\":\"gen-\""));
    assertEquals(201, gen.code(), gen.toString());
    String name = gen.json().path("metadata").path("name").asText();
    assertTrue(name.matches("gen-[bcdfghjklmnpqrstvwxz2456789]{5}"), name);
    var dry = api.post(POOLS + "?dryRun=All", "application/json", pool("dry", "10.5.0.0/24"));
    assertEquals(201, dry.code(), dry.toString());
    assertEquals("", dry.json().path("metadata").path("resourceVersion").asText());
    assertFalse(dry.json().path("metadata").path("uid").asText().isEmpty());
    assertEquals(404, api.get(POOLS + "/dry").code());
    assertStatus(api.post(POOLS, "application/json", pool(name, "10.4.0.0/24")), 409, "AlreadyExists",
        "spiderippools.spiderpool.spidernet.io \"" + name + "\" already exists");
  }

  @Test
  void dryRunPatchAndDelete_answerAsTheWriteWouldAndStoreNothing() {
    var created = api.post(POOLS, "application/json", pool("dry-upd", "10.7.0.0/24")).json();
    String rv = created.path("metadata").path("resourceVersion").asText();
    var patched = api.patch(POOLS + "/dry-upd?dryRun=All", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"dry\":\"yes\"}}}");
    assertEquals(200, patched.code(), patched.toString());
    assertEquals("yes", patched.json().path("metadata").path("labels").path("dry").asText());
    var deleted = api.delete(POOLS + "/dry-upd?dryRun=All", null);
    assertEquals(200, deleted.code(), deleted.toString());
    var stored = api.get(POOLS + "/dry-upd").json();
    assertEquals(rv, stored.path("metadata").path("resourceVersion").asText(), "nothing was written");
    assertTrue(stored.path("metadata").path("labels").path("dry").isMissingNode(), stored.toString());
    assertTrue(stored.path("metadata").path("deletionTimestamp").isMissingNode(), stored.toString());
  }

  @Test
  void update_needsResourceVersion_andConflictsWhenStale() {
    var created = api.post(POOLS, "application/json", pool("upd", "10.6.0.0/24")).json();
    String rv = created.path("metadata").path("resourceVersion").asText();
    assertTrue(rv.matches("[1-9][0-9]*"), rv);
    assertStatus(api.put(POOLS + "/upd", "application/json", pool("upd", "10.6.0.0/24")), 422, "Invalid",
        "metadata.resourceVersion: Invalid value: 0: must be specified for an update");
    assertStatus(api.put(POOLS + "/other", "application/json", pool("upd", "10.6.0.0/24")), 400, "BadRequest",
        "the name of the object (upd) does not match the name on the URL (other)");
    String withRv = pool("upd", "10.6.0.0/24").replace("\"name\":\"upd\"", "\"name\":\"upd\",\"resourceVersion\":\""
        + rv + "\"").replace("\"subnet\"", "\"default\":true,\"subnet\"");
    var ok = api.put(POOLS + "/upd", "application/json", withRv);
    assertEquals(200, ok.code(), ok.toString());
    String rv2 = ok.json().path("metadata").path("resourceVersion").asText();
    assertTrue(Long.parseLong(rv2) > Long.parseLong(rv), "resourceVersion grows");
    assertEquals(2, ok.json().path("metadata").path("generation").asInt());
    assertStatus(api.put(POOLS + "/upd", "application/json", withRv), 409, "Conflict",
        "Operation cannot be fulfilled on spiderippools.spiderpool.spidernet.io \"upd\": the object has been modified");
    // A no-op update keeps the resourceVersion and the generation.
    String same = ok.body();
    var noop = api.put(POOLS + "/upd", "application/json", same);
    assertEquals(rv2, noop.json().path("metadata").path("resourceVersion").asText());
  }

  @Test
  void statusSubresource_onlyStatusChanges_andGenerationStays() {
    var created = api.post(POOLS, "application/json", pool("stat", "10.7.0.0/24")).json();
    var patched = api.patch(POOLS + "/stat/status", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"x\":\"y\"}},\"spec\":{\"default\":true}}");
    assertEquals(200, patched.code(), patched.toString());
    assertFalse(patched.json().path("spec").path("default").asBoolean(), "spec is not writable via /status");
    assertTrue(patched.json().path("metadata").path("labels").path("x").isMissingNode());
    assertEquals(created.path("metadata").path("generation"), patched.json().path("metadata").path("generation"));
    var get = api.get(POOLS + "/stat/status");
    assertEquals(200, get.code());
  }

  @Test
  void patch_errors() {
    api.post(POOLS, "application/json", pool("pe", "10.8.0.0/24"));
    assertStatus(api.patch(POOLS + "/pe", "application/strategic-merge-patch+json", "{}"), 415,
        "UnsupportedMediaType", "accepted media types include: application/json-patch+json, "
            + "application/merge-patch+json, application/apply-patch+yaml");
    assertStatus(api.patch(POOLS + "/pe", "application/json-patch+json",
        "[{\"op\":\"test\",\"path\":\"/spec/subnet\",\"value\":\"1.2.3.0/24\"}]"), 422, "Invalid",
        "the server rejected our request due to an error in our request");
    assertStatus(api.patch(POOLS + "/pe", "application/merge-patch+json", "{not json"), 400, "BadRequest",
        "error decoding patch");
    assertStatus(api.patch(POOLS + "/pe?fieldValidation=Strict", "application/merge-patch+json",
        "{\"spec\":{\"colour\":\"red\"}}"), 422, "Invalid", "strict decoding error: unknown field \"spec.colour\"");
    assertStatus(api.patch(POOLS + "/pe?force=true", "application/merge-patch+json", "{}"), 422, "Invalid",
        "force: Forbidden: may not be specified for non-apply patch");
    assertStatus(api.patch(POOLS + "/missing", "application/merge-patch+json", "{}"), 404, "NotFound",
        "\"missing\" not found");
  }

  @Test
  void list_pagingIsConsistent_andSelectorsFilter() {
    for (int i = 0; i < 7; i++) {
      var r = api.post(RESERVED, "application/json", "{\"metadata\":{\"name\":\"page-" + i + "\",\"labels\":"
          + "{\"team\":\"" + (i % 2 == 0 ? "even" : "odd") + "\"}},\"spec\":{\"ips\":[\"10.9.0." + i + "\"]}}");
      assertEquals(201, r.code(), r.toString());
    }
    var p1 = api.get(RESERVED + "?limit=3&labelSelector=team%3Deven").json();
    assertEquals(3, p1.path("items").size());
    String token = p1.path("metadata").path("continue").asText();
    assertFalse(token.isEmpty());
    // A change after the first page must not show up in later pages (consistent snapshot).
    api.delete(RESERVED + "/page-6", null);
    var p2 = api.get(RESERVED + "?limit=3&labelSelector=team%3Deven&continue=" + token).json();
    assertEquals(1, p2.path("items").size(), p2.toString());
    assertEquals("page-6", p2.path("items").get(0).path("metadata").path("name").asText());
    assertTrue(p2.path("metadata").path("continue").isMissingNode());
    var byName = api.get(RESERVED + "?fieldSelector=metadata.name%3Dpage-1").json();
    assertEquals(1, byName.path("items").size());
    assertStatus(api.get(RESERVED + "?resourceVersionMatch=Exact"), 422, "Invalid", "resourceVersionMatch is "
        + "forbidden unless resourceVersion is provided");
    assertStatus(api.get(RESERVED + "?resourceVersion=abc"), 400, "BadRequest", "invalid resource version: abc");
  }

  @Test
  void delete_withFinalizer_marksThenRemovesWhenFinalizerGoes() {
    api.post(RESERVED, "application/json", "{\"metadata\":{\"name\":\"fin\",\"finalizers\":[\"example.com/hold\"]},"
        + "\"spec\":{\"ips\":[\"10.10.0.1\"]}}");
    var marked = api.delete(RESERVED + "/fin", null);
    assertEquals(200, marked.code(), marked.toString());
    assertFalse(marked.json().path("metadata").path("deletionTimestamp").isMissingNode());
    assertEquals(200, api.get(RESERVED + "/fin").code(), "kept while the finalizer is there");
    var released = api.patch(RESERVED + "/fin", "application/merge-patch+json", "{\"metadata\":{\"finalizers\":null}}");
    assertEquals(200, released.code(), released.toString());
    assertEquals(404, api.get(RESERVED + "/fin").code());
    api.post(RESERVED, "application/json", "{\"metadata\":{\"name\":\"pre\"},\"spec\":{\"ips\":[\"10.10.0.2\"]}}");
    assertStatus(api.delete(RESERVED + "/pre", "{\"preconditions\":{\"uid\":\"0000\"}}"), 409, "Conflict",
        "the UID in the precondition (0000) does not match the UID in record");
    var gone = api.delete(RESERVED + "/pre", null);
    assertEquals("Success", gone.json().path("status").asText(), gone.toString());
    assertEquals("spiderreservedips", gone.json().path("details").path("kind").asText());
  }

  @Test
  void deleteCollection_bySelector() {
    for (String n : new String[] {"dc-a", "dc-b"}) {
      api.post(RESERVED, "application/json", "{\"metadata\":{\"name\":\"" + n + "\",\"labels\":{\"dc\":\"yes\"}},"
          + "\"spec\":{\"ips\":[\"10.11.0.1\"]}}");
    }
    var r = api.delete(RESERVED + "?labelSelector=dc%3Dyes", null);
    assertEquals(200, r.code(), r.toString());
    assertEquals("SpiderReservedIPList", r.json().path("kind").asText());
    assertEquals(2, r.json().path("items").size());
    assertEquals(0, api.get(RESERVED + "?labelSelector=dc%3Dyes").json().path("items").size());
  }

  @Test
  void tableAndPartialMetadata_transforms() {
    api.post(POOLS, "application/json", pool("tab", "10.12.0.0/24"));
    var t = api.get(POOLS + "/tab", "application/json;as=Table;v=v1;g=meta.k8s.io").json();
    assertEquals("Table", t.path("kind").asText());
    assertEquals("Name", t.path("columnDefinitions").get(0).path("name").asText());
    assertEquals("VERSION", t.path("columnDefinitions").get(1).path("name").asText());
    assertEquals("4", t.path("rows").get(0).path("cells").get(1).asText());
    var pm = api.get(POOLS, "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io").json();
    assertEquals("PartialObjectMetadataList", pm.path("kind").asText());
    assertTrue(pm.path("items").get(0).path("spec").isMissingNode());
    assertStatus(api.get(POOLS, "application/vnd.kubernetes.protobuf"), 406, "NotAcceptable",
        "only the following media types are accepted");
  }
}
