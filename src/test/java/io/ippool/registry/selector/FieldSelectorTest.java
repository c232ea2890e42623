package io.ippool.registry.selector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** kubectl's --field-selector on a custom resource, with the parsing of k8s.io/apimachinery/pkg/fields. */
class FieldSelectorTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode object(String name, String namespace) {
    ObjectNode o = JSON.createObjectNode();
    ObjectNode meta = o.putObject("metadata");
    meta.put("name", name);
    if (namespace != null) {
      meta.put("namespace", namespace);
    }
    return o;
  }

  @ParameterizedTest(name = "{0} on {1}/{2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      metadata.name=pool-a                        | pool-a | ns1 | true
      metadata.name==pool-a                       | pool-a | ns1 | true
      metadata.name=pool-a                        | pool-b | ns1 | false
      metadata.name!=pool-a                       | pool-b | ns1 | true
      metadata.name!=pool-a                       | pool-a | ns1 | false
      metadata.name=                              | pool-a | ns1 | false
      metadata.name!=                             | pool-a | ns1 | true
      metadata.name=pool-a,metadata.namespace=ns1 | pool-a | ns1 | true
      metadata.name=pool-a,metadata.namespace=ns2 | pool-a | ns1 | false
      metadata.namespace!=ns2                     | pool-a | ns1 | true
      metadata.name=pool-a,                       | pool-a | ns1 | true
      ',metadata.name=pool-a,,'                   | pool-b | ns1 | false
      """)
  void matches(String selector, String name, String namespace, boolean expected) {
    assertEquals(expected, FieldSelector.parse(selector, true).matches(object(name, namespace)));
  }

  @Test
  void valuesMayEscapeCommaEqualsAndBackslash() {
    FieldSelector s = FieldSelector.parse("metadata.name=a\\,b\\=c\\\\d", true);
    assertEquals("a,b=c\\d", s.exactName());
  }

  @Test
  void nothingButCommasSelectsEverything() {
    assertSame(FieldSelector.EVERYTHING, FieldSelector.parse(",,", false));
    assertSame(FieldSelector.EVERYTHING, FieldSelector.parse(null, false));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      metadata.name                  | false | invalid selector: 'metadata.name'; can't understand 'metadata.name'
      spec.subnet=10.0.0.0/8         | false | field label not supported: spec.subnet
      metadata.namespace=default     | false | field label not supported: metadata.namespace
      metadata.name=a=b              | false | invalid field selector: unescaped character in value: =
      metadata.name=a!=b             | false | invalid field selector: unescaped character in value: =
      metadata.name=a\\b             | false | invalid field selector: invalid escape sequence: \\b
      metadata.name=a\\              | false | invalid field selector: invalid escape sequence: \\
      =pool-a                        | true  | 'field label not supported: '
      """)
  void refused(String selector, boolean namespaced, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class,
        () -> FieldSelector.parse(selector, namespaced)).getMessage());
  }

  @Test
  void exactNameIsTheEqualityOnName() {
    assertEquals("pool-a", FieldSelector.parse("metadata.namespace=x,metadata.name==pool-a", true).exactName());
    assertNull(FieldSelector.parse("metadata.name!=pool-a", true).exactName());
    assertNull(FieldSelector.EVERYTHING.exactName());
  }
}
