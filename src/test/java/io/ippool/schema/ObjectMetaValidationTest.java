package io.ippool.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObjectMetaValidationTest {
  private static final ObjectMapper M = new ObjectMapper();
  private static final String SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
      + " characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex"
      + " used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

  private static List<String> check(String json, boolean namespaced) throws Exception {
    return ObjectMetaValidation.validate((ObjectNode) M.readTree(json.replace('\'', '"')), namespaced).stream()
        .map(FieldError::message).toList();
  }

  @Test
  void nameRules() throws Exception {
    assertEquals(List.of("metadata.name: Required value: name or generateName is required"), check("{}", false));
    assertEquals(List.of("metadata.name: Invalid value: \"Foo_\": " + SUBDOMAIN), check("{'name':'Foo_'}", false));
    assertEquals(List.of(), check("{'name':'default-v4-ippool'}", false));
    assertEquals(List.of("metadata.name: Required value: name or generateName is required"),
        check("{'generateName':'pool-'}", false));
    assertEquals(List.of("metadata.name: Invalid value: \"" + "a".repeat(254) + "\": must be no more than 253 characters"),
        check("{'name':'" + "a".repeat(254) + "'}", false));
  }

  @Test
  void namespaceRulesDependOnScope() throws Exception {
    assertEquals(List.of("metadata.namespace: Forbidden: not allowed on this type"),
        check("{'name':'a','namespace':'default'}", false));
    assertEquals(List.of("metadata.namespace: Required value"), check("{'name':'a'}", true));
    assertEquals(List.of(), check("{'name':'a','namespace':'kube-system'}", true));
  }

  @Test
  void labelsAnnotationsFinalizers() throws Exception {
    List<String> errs = check("{'name':'a','labels':{'bad key':'v','ok':'bad value!'},"
        + "'annotations':{'Example.com/Fine':'x'},'finalizers':['spiderpool.spidernet.io','a/b/c']}", false);
    assertEquals(3, errs.size(), errs.toString());
    // Go's RegexError really joins examples with "',  or '" (two spaces).
    assertEquals("metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters,"
        + " '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name', "
        + " or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')", errs.get(0));
    assertEquals("metadata.labels: Invalid value: \"bad value!\": a valid label must be an empty string or consist of"
        + " alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g."
        + " 'MyValue',  or 'my_value',  or '12345', regex used for validation is"
        + " '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')", errs.get(1));
    assertEquals("metadata.finalizers: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric"
        + " characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or"
        + " 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an"
        + " optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')", errs.get(2));
  }

  @Test
  void annotationSizeLimit() throws Exception {
    String big = "x".repeat(256 * 1024);
    assertEquals(List.of("metadata.annotations: Too long: may not be more than 262144 bytes"),
        check("{'name':'a','annotations':{'k':'" + big + "'}}", false));
  }

  @Test
  void updateNeedsResourceVersionAndKeepsImmutables() throws Exception {
    ObjectNode old = (ObjectNode) M.readTree("{\"name\":\"a\",\"uid\":\"u1\",\"resourceVersion\":\"5\"}");
    ObjectNode neu = (ObjectNode) M.readTree("{\"name\":\"a\",\"uid\":\"u2\"}");
    assertEquals(List.of("metadata.resourceVersion: Invalid value: \"\": must be specified for an update",
            "metadata.uid: Invalid value: \"u2\": field is immutable"),
        ObjectMetaValidation.validateUpdate(neu, old).stream().map(FieldError::message).toList());
  }
}
