package io.ippool.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;

class StructuralSchemaTest {
  private static final ObjectMapper M = new ObjectMapper();

  private static ObjectNode obj(String json) throws Exception {
    return (ObjectNode) M.readTree(json.replace('\'', '"'));
  }

  private static StructuralSchema pool() {
    return Crds.byKind("SpiderIPPool").orElseThrow().schema();
  }

  private static List<String> messages(List<FieldError> errs) {
    return errs.stream().map(FieldError::message).toList();
  }

  @Test
  void unknownFieldsAreReportedWithKubePathsAndPruned() throws Exception {
    ObjectNode o = obj("{'apiVersion':'spiderpool.spidernet.io/v2beta1','kind':'SpiderIPPool','foo':1,"
        + "'metadata':{'name':'p','bogus':true,'labels':{'a':'b'},'ownerReferences':[{'name':'x','zzz':1}]},"
        + "'spec':{'subnet':'10.0.0.0/24','foo':'x','routes':[{'dst':'a','gw':'b','bar':1}],"
        + "'podAffinity':{'matchLabels':{'k':'v'},'extra':1}},'status':{'nope':1}}");
    List<String> expected = List.of("foo", "metadata.bogus", "metadata.ownerReferences[0].zzz", "spec.foo",
        "spec.podAffinity.extra", "spec.routes[0].bar", "status.nope");
    assertEquals(expected, pool().unknownFields(o));
    assertTrue(o.path("spec").has("foo"), "unknownFields must not modify");
    assertEquals(expected, pool().prune(o));
    assertEquals(List.of(), pool().unknownFields(o));
    assertFalse(o.path("metadata").has("bogus"));
    assertEquals("b", o.path("metadata").path("labels").path("a").asText());
    assertEquals("v", o.at("/spec/podAffinity/matchLabels/k").asText());
  }

  @Test
  void defaultsFillDefaultAndDisable() throws Exception {
    ObjectNode o = obj("{'spec':{'subnet':'10.0.0.0/24','gateway':null}}");
    pool().applyDefaults(o);
    assertEquals("{\"spec\":{\"subnet\":\"10.0.0.0/24\",\"default\":false,\"disable\":false}}", o.toString());
    ObjectNode nullDefault = obj("{'spec':{'subnet':'x','default':null,'disable':true}}");
    pool().applyDefaults(nullDefault);
    assertFalse(nullDefault.at("/spec/default").asBoolean(true));
    assertTrue(nullDefault.at("/spec/disable").asBoolean());
  }

  @Test
  void enumRequiredAndTypeMessagesMatchKube() throws Exception {
    assertEquals(List.of("spec.ipVersion: Unsupported value: 5: supported values: \"4\", \"6\""),
        messages(pool().validate(obj("{'spec':{'subnet':'x','ipVersion':5}}"))));
    assertEquals(List.of("spec.subnet: Required value"), messages(pool().validate(obj("{'spec':{}}"))));
    assertEquals(List.of(
            "spec.ipVersion: Invalid value: \"string\": spec.ipVersion in body must be of type integer: \"string\"",
            "spec.ipVersion: Unsupported value: \"4\": supported values: \"4\", \"6\""),
        messages(pool().validate(obj("{'spec':{'subnet':'x','ipVersion':'4'}}"))));
    assertEquals(List.of(), pool().validate(obj("{'spec':{'subnet':'x','ipVersion':4.0}}")));
    assertEquals(List.of(
            "spec.ipVersion: Invalid value: \"float64\": spec.ipVersion in body must be of type int64: \"float64\""),
        messages(pool().validate(obj("{'spec':{'subnet':'x','ipVersion':4.5}}"))));
  }

  @Test
  void nestedPathsMinimumAndRequiredInArrays() throws Exception {
    ObjectNode o = obj("{'spec':{'subnet':'x','routes':[{'dst':'a'}],'ips':['a',3],"
        + "'podAffinity':{'matchLabels':{'k':1},'matchExpressions':[{'key':'a'}]}},"
        + "'status':{'totalIPCount':-1,'allocatedIPCount':'1'}}");
    assertEquals(List.of(
        "spec.ips[1]: Invalid value: \"integer\": spec.ips[1] in body must be of type string: \"integer\"",
        "spec.podAffinity.matchExpressions[0].operator: Required value",
        "spec.podAffinity.matchLabels.k: Invalid value: \"integer\": spec.podAffinity.matchLabels.k in body must be of type string: \"integer\"",
        "spec.routes[0].gw: Required value",
        "status.allocatedIPCount: Invalid value: \"string\": status.allocatedIPCount in body must be of type integer: \"string\"",
        "status.totalIPCount: Invalid value: -1: status.totalIPCount in body should be greater than or equal to 0"),
        messages(pool().validate(o)));
  }

  @Test
  void typeErrorCarriesCauseTypeAndSpecObjectTypeIsChecked() throws Exception {
    List<FieldError> errs = pool().validate(obj("{'spec':'nope'}"));
    assertEquals(1, errs.size());
    assertEquals(FieldError.Type.TYPE_INVALID, errs.get(0).type());
    assertEquals("spec: Invalid value: \"string\": spec in body must be of type object: \"string\"",
        errs.get(0).message());
  }

  @Test
  void reservedIpHasNoRequiredFields() throws Exception {
    StructuralSchema sr = Crds.byKind("SpiderReservedIP").orElseThrow().schema();
    assertEquals(List.of(), sr.validate(obj("{'spec':{}}")));
    assertEquals(List.of("spec.ipVersion: Unsupported value: 5: supported values: \"4\", \"6\""),
        messages(sr.validate(obj("{'spec':{'ipVersion':5}}"))));
  }
}
