package io.ippool.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenApiV3Test {
  private final OpenApiV3 api = OpenApiV3.get();
  private final ObjectNode doc = api.gvDocument();

  @Test
  void rootPointsAtOurGroupVersionOnlyWithTheHash() throws Exception {
    ObjectNode root = api.rootDocument();
    assertEquals(List.of("apis/spiderpool.spidernet.io/v2beta1"), names(root.get("paths")));
    String expected = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512")
        .digest(api.gvJson().getBytes(StandardCharsets.UTF_8)));
    assertEquals(expected, api.hash());
    assertEquals("/openapi/v3/apis/spiderpool.spidernet.io/v2beta1?hash=" + expected,
        root.at("/paths/apis~1spiderpool.spidernet.io~1v2beta1/serverRelativeURL").asText());
    assertEquals(doc, new ObjectMapper().readTree(api.gvJson()));
  }

  @Test
  void everyOperationHasActionAndGvkObjectAndPatchHasInlineFieldValidationWithoutSmp() {
    int patches = 0;
    for (Map.Entry<String, JsonNode> path : iterable(doc.get("paths"))) {
      for (Map.Entry<String, JsonNode> op : iterable(path.getValue())) {
        if (op.getKey().equals("parameters")) {
          continue;
        }
        JsonNode o = op.getValue();
        assertTrue(o.has("x-kubernetes-action"), path.getKey() + " " + op.getKey());
        assertTrue(o.get("x-kubernetes-group-version-kind").isObject(), path.getKey());
        assertEquals("spiderpool.spidernet.io", o.at("/x-kubernetes-group-version-kind/group").asText());
        if (op.getKey().equals("patch")) {
          patches++;
          List<String> params = new ArrayList<>();
          o.get("parameters").forEach(p -> params.add(p.get("name").asText() + "/" + p.get("in").asText()));
          assertEquals(List.of("dryRun/query", "fieldManager/query", "fieldValidation/query", "force/query"), params);
          assertEquals(List.of("application/apply-patch+yaml", "application/json-patch+json",
              "application/merge-patch+json"), names(o.at("/requestBody/content")));
        }
      }
    }
    // 6 item paths + status of SpiderIPPool, SpiderSubnet, SpiderCoordinator
    assertEquals(9, patches);
    assertFalse(api.gvJson().contains("strategic-merge-patch"));
  }

  @Test
  void pathsForClusterAndNamespacedKinds() {
    List<String> paths = names(doc.get("paths"));
    assertTrue(paths.contains("/apis/spiderpool.spidernet.io/v2beta1/spiderippools"));
    assertTrue(paths.contains("/apis/spiderpool.spidernet.io/v2beta1/spiderippools/{name}"));
    assertTrue(paths.contains("/apis/spiderpool.spidernet.io/v2beta1/spiderippools/{name}/status"));
    assertFalse(paths.contains("/apis/spiderpool.spidernet.io/v2beta1/spiderreservedips/{name}/status"));
    assertTrue(paths.contains("/apis/spiderpool.spidernet.io/v2beta1/namespaces/{namespace}/spiderendpoints/{name}"));
    assertTrue(paths.contains("/apis/spiderpool.spidernet.io/v2beta1/spiderendpoints"));
    JsonNode patch = doc.get("paths").get("/apis/spiderpool.spidernet.io/v2beta1/spiderippools/{name}").get("patch");
    assertEquals("patchSpiderpoolSpidernetIoV2beta1SpiderIPPool", patch.get("operationId").asText());
    assertEquals("#/components/schemas/io.spidernet.spiderpool.v2beta1.SpiderIPPool",
        patch.at("/responses/200/content/application~1json/schema/$ref").asText());
    assertEquals("createSpiderpoolSpidernetIoV2beta1NamespacedSpiderEndpoint", doc.get("paths")
        .get("/apis/spiderpool.spidernet.io/v2beta1/namespaces/{namespace}/spiderendpoints").get("post")
        .get("operationId").asText());
  }

  @Test
  void kindSchemasCarryGvkArrayAndObjectMetaRef() {
    JsonNode schemas = doc.at("/components/schemas");
    JsonNode pool = schemas.get("io.spidernet.spiderpool.v2beta1.SpiderIPPool");
    assertTrue(pool.get("x-kubernetes-group-version-kind").isArray());
    assertEquals("SpiderIPPool", pool.at("/x-kubernetes-group-version-kind/0/kind").asText());
    assertEquals("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        pool.at("/properties/metadata/allOf/0/$ref").asText());
    assertEquals("subnet", pool.at("/properties/spec/required/0").asText());
    assertEquals("SpiderIPPoolList",
        schemas.at("/io.spidernet.spiderpool.v2beta1.SpiderIPPoolList/x-kubernetes-group-version-kind/0/kind").asText());
    for (String meta : List.of("ObjectMeta", "ListMeta", "ManagedFieldsEntry", "OwnerReference", "Time", "Patch",
        "Status", "DeleteOptions", "StatusDetails", "StatusCause", "Preconditions", "FieldsV1")) {
      assertTrue(schemas.has("io.k8s.apimachinery.pkg.apis.meta.v1." + meta), meta);
    }
    assertTrue(schemas.at("/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta/properties/labels/description")
        .asText().startsWith("Map of string keys"));
    // every $ref resolves
    for (String ref : doc.findValuesAsText("$ref")) {
      assertTrue(schemas.has(ref.substring("#/components/schemas/".length())), ref);
    }
  }

  private static List<String> names(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode n) {
    return n::fields;
  }
}
