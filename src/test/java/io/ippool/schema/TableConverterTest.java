package io.ippool.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.errors.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableConverterTest {
  private static final ObjectMapper M = new ObjectMapper();
  private static final Clock NOW = Clock.fixed(Instant.parse("2026-01-10T12:00:00Z"), ZoneOffset.UTC);

  private static ObjectNode obj(String json) throws Exception {
    return (ObjectNode) M.readTree(json.replace('\'', '"'));
  }

  private static final String POOL = "{'apiVersion':'spiderpool.spidernet.io/v2beta1','kind':'SpiderIPPool',"
      + "'metadata':{'name':'default-v4-ippool','resourceVersion':'4711','uid':'u1','generation':1,"
      + "'creationTimestamp':'2026-01-10T11:00:00Z','labels':{'a':'b'}},"
      + "'spec':{'ipVersion':4,'subnet':'10.6.0.0/16','default':true,'disable':false,"
      + "'multusName':['kube-system/macvlan','b<c'],"
      + "'podAffinity':{'matchLabels':{'ipam.spidernet.io/app-namespace':'team-a'}}},"
      + "'status':{'allocatedIPCount':3,'totalIPCount':254}}";

  @Test
  void poolColumnsIncludingWideOnesAndNoAge() throws Exception {
    TableConverter tc = new TableConverter(Crds.byKind("SpiderIPPool").orElseThrow(), NOW);
    ObjectNode t = tc.list(List.of(obj(POOL)), new ListMeta("4800", "c1", 5L), TableConverter.Options.defaults());
    assertEquals("Table", t.path("kind").asText());
    assertEquals("meta.k8s.io/v1", t.path("apiVersion").asText());
    assertEquals("{\"resourceVersion\":\"4800\",\"continue\":\"c1\",\"remainingItemCount\":5}",
        t.path("metadata").toString());
    List<String> names = t.path("columnDefinitions").findValuesAsText("name");
    assertEquals(List.of("Name", "VERSION", "SUBNET", "ALLOCATED-IP-COUNT", "TOTAL-IP-COUNT", "DEFAULT", "DISABLE",
        "NodeName", "MultusName", "APP-NAMESPACE"), names);
    assertEquals("{\"name\":\"Name\",\"type\":\"string\",\"format\":\"name\",\"description\":\""
        + TableConverter.NAME_DESCRIPTION + "\",\"priority\":0}", t.path("columnDefinitions").get(0).toString());
    assertEquals("{\"name\":\"DISABLE\",\"type\":\"boolean\",\"format\":\"\",\"description\":\"disable\","
        + "\"priority\":10}", t.path("columnDefinitions").get(6).toString());
    assertEquals("[\"default-v4-ippool\",\"4\",\"10.6.0.0/16\",3,254,true,false,null,"
            + "\"[\\\"kube-system/macvlan\\\",\\\"b\\\\u003cc\\\"]\",\"team-a\"]",
        t.path("rows").get(0).path("cells").toString());
    ObjectNode rowObject = (ObjectNode) t.path("rows").get(0).path("object");
    assertEquals("PartialObjectMetadata", rowObject.path("kind").asText());
    assertEquals("meta.k8s.io/v1", rowObject.path("apiVersion").asText());
    assertEquals("b", rowObject.at("/metadata/labels/a").asText());
    assertFalse(rowObject.has("spec"));
  }

  @Test
  void missingValuesAndWrongTypesAreNull() throws Exception {
    TableConverter tc = new TableConverter(Crds.byKind("SpiderIPPool").orElseThrow(), NOW);
    ObjectNode t = tc.single(obj("{'metadata':{'name':'p','resourceVersion':'9'},'spec':{'subnet':'x',"
        + "'default':'yes'},'status':{'totalIPCount':2.9}}"), TableConverter.Options.defaults());
    assertEquals("9", t.at("/metadata/resourceVersion").asText());
    assertEquals("[\"p\",null,\"x\",null,2,null,null,null,null,null]", t.at("/rows/0/cells").toString());
  }

  @Test
  void includeObjectVariantsAndNoHeaders() throws Exception {
    TableConverter tc = new TableConverter(Crds.byKind("SpiderIPPool").orElseThrow(), NOW);
    ObjectNode none = tc.single(obj(POOL),
        new TableConverter.Options("meta.k8s.io/v1beta1", TableConverter.IncludeObject.parse("None"), true));
    assertEquals("meta.k8s.io/v1beta1", none.path("apiVersion").asText());
    assertTrue(none.path("columnDefinitions").isNull());
    assertFalse(none.at("/rows/0").has("object"));
    ObjectNode full = tc.single(obj(POOL),
        new TableConverter.Options("meta.k8s.io/v1", TableConverter.IncludeObject.parse("Object"), false));
    assertEquals("SpiderIPPool", full.at("/rows/0/object/kind").asText());
    ApiException e = assertThrows(ApiException.class, () -> TableConverter.IncludeObject.parse("All"));
    assertEquals(400, e.code());
    assertEquals("Unable to convert to Table as requested: includeObject: Invalid value: \"All\": must be"
        + " 'Metadata', 'Object', 'None', or empty", e.getMessage());
  }

  @Test
  void ageColumnOnlyWhenCrdHasNone() throws Exception {
    TableConverter tc = new TableConverter(Crds.byKind("SpiderCoordinator").orElseThrow(), NOW);
    ObjectNode t = tc.list(List.of(obj("{'metadata':{'name':'default','creationTimestamp':'2026-01-07T08:00:00Z'}}")),
        ListMeta.of("1"), TableConverter.Options.defaults());
    assertEquals(List.of("Name", "Age"), t.path("columnDefinitions").findValuesAsText("name"));
    assertEquals("date", t.at("/columnDefinitions/1/type").asText());
    assertEquals("[\"default\",\"3d4h\"]", t.at("/rows/0/cells").toString());
  }

  @Test
  void endpointColumnsIndexIntoArrays() throws Exception {
    TableConverter tc = new TableConverter(Crds.byKind("SpiderEndpoint").orElseThrow(), NOW);
    ObjectNode t = tc.list(List.of(obj("{'metadata':{'name':'pod1','namespace':'ns'},'status':{'current':{"
        + "'node':'n1','ips':[{'interface':'eth0','ipv4':'10.0.0.5/24','ipv4Pool':'p4'}]}}}")),
        ListMeta.of("1"), TableConverter.Options.defaults());
    assertEquals("[\"pod1\",\"eth0\",\"p4\",\"10.0.0.5/24\",null,null,\"n1\"]", t.at("/rows/0/cells").toString());
  }

  @Test
  void humanDurationMatchesKube() {
    assertEquals("0s", HumanDuration.of(Duration.ofMillis(-1500)));
    assertEquals("<invalid>", HumanDuration.of(Duration.ofSeconds(-2)));
    assertEquals("119s", HumanDuration.of(Duration.ofSeconds(119)));
    assertEquals("2m5s", HumanDuration.of(Duration.ofSeconds(125)));
    assertEquals("3m", HumanDuration.of(Duration.ofMinutes(3)));
    assertEquals("179m", HumanDuration.of(Duration.ofMinutes(179)));
    assertEquals("3h10m", HumanDuration.of(Duration.ofMinutes(190)));
    assertEquals("47h", HumanDuration.of(Duration.ofHours(47)));
    assertEquals("3d4h", HumanDuration.of(Duration.ofHours(76)));
    assertEquals("30d", HumanDuration.of(Duration.ofDays(30)));
    assertEquals("2y5d", HumanDuration.of(Duration.ofDays(735)));
    assertEquals("9y", HumanDuration.of(Duration.ofDays(365 * 9 + 3)));
  }

  @Test
  void stringCellsPrintFloatsLikeGo() {
    assertEquals("1.5", TableConverter.goPrintFloat(1.5));
    assertEquals("123456", TableConverter.goPrintFloat(123456.0));
    assertEquals("1e+06", TableConverter.goPrintFloat(1e6));
    assertEquals("1e-05", TableConverter.goPrintFloat(0.00001));
  }

  @Test
  void partialObjectMetadataList() throws Exception {
    ObjectNode l = PartialObjectMetadata.list(List.of(obj(POOL)), ListMeta.of("12"));
    assertEquals("PartialObjectMetadataList", l.path("kind").asText());
    assertEquals("{\"resourceVersion\":\"12\"}", l.path("metadata").toString());
    assertEquals("PartialObjectMetadata", l.at("/items/0/kind").asText());
    assertEquals("default-v4-ippool", l.at("/items/0/metadata/name").asText());
  }
}
