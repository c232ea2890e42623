package io.ippool.registry.selector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** kubectl's -l / ?labelSelector=, with the grammar and matching of k8s.io/apimachinery/pkg/labels. */
class LabelSelectorTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode labels(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  @ParameterizedTest(name = "{0} on {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      env=prod                   | {"env":"prod"}              | true
      env=prod                   | {"env":"dev"}               | false
      env=prod                   | {}                          | false
      env==prod                  | {"env":"prod"}              | true
      env = prod                 | {"env":"prod"}              | true
      env!=prod                  | {"env":"dev"}               | true
      env!=prod                  | {"env":"prod"}              | false
      env!=prod                  | {}                          | true
      env=                       | {"env":""}                  | true
      env=                       | {}                          | false
      env in (prod, qa)          | {"env":"qa"}                | true
      env in (prod,qa)           | {"env":"dev"}               | false
      env in(prod)               | {"env":"prod"}              | true
      env in (prod)              | {}                          | false
      env notin (prod,qa)        | {"env":"dev"}               | true
      env notin (prod,qa)        | {"env":"qa"}                | false
      env notin (prod)           | {}                          | true
      env in ()                  | {"env":""}                  | true
      env in (a,)                | {"env":""}                  | true
      env in (,a)                | {"env":"a"}                 | true
      env                        | {"env":""}                  | true
      env                        | {}                          | false
      !env                       | {}                          | true
      ! env                      | {"env":"x"}                 | false
      env,tier=web               | {"env":"x","tier":"web"}    | true
      env,tier=web               | {"tier":"web"}              | false
      env=a,env=b                | {"env":"a"}                 | false
      env in (a,b),tier notin (db) | {"env":"b","tier":"web"}  | true
      x=in                       | {"x":"in"}                  | true
      in=x                       | {"in":"x"}                  | true
      example.com/role=edge      | {"example.com/role":"edge"} | true
      Tier=Web                   | {"tier":"Web"}              | false
      replicas>2                 | {"replicas":"3"}            | true
      replicas>2                 | {"replicas":"2"}            | false
      replicas<2                 | {"replicas":"-1"}           | true
      replicas>2                 | {"replicas":"many"}         | false
      replicas>2                 | {}                          | false
      """)
  void matches(String selector, String labels, boolean expected) {
    assertEquals(expected, LabelSelector.parse(selector).matches(labels(labels)));
  }

  @Test
  void emptyAndAbsentSelectEverything() {
    assertSame(LabelSelector.EVERYTHING, LabelSelector.parse(null));
    assertSame(LabelSelector.EVERYTHING, LabelSelector.parse("  "));
    assertTrue(LabelSelector.EVERYTHING.matches(null));
    assertTrue(LabelSelector.EVERYTHING.isEmpty());
  }

  /** Each is a 400 from kube-apiserver; the message starts as kube's does. */
  @ParameterizedTest
  @ValueSource(strings = {
      "a in b",                 // a set needs parentheses
      "a in (b",                // unclosed set
      "a in (b c)",             // values need commas
      "=a",                     // no key
      "a,,b",                   // empty requirement
      "a,",                     // trailing comma
      "a b",                    // two words, no operator
      "a===b",                  // no such operator
      "a=b=c",                  // one value only
      "!a=b",                   // a negated key takes no operator
      "a=b c",                  // one value only
      "-a=b",                   // key starts with a non-alphanumeric
      "a_=b",                   // key ends with a non-alphanumeric
      "Example.com/a=b",        // the prefix is a lower-case DNS subdomain
      "a/b/c=d",                // one prefix at most
      "a=-b",                   // value starts with a non-alphanumeric
      "a>b",                    // comparisons take integers
      "a>",                     // and a value
      "(a)",                    // a requirement starts with a key or !
  })
  void refused(String selector) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse(selector));
    assertTrue(e.getMessage().startsWith("unable to parse requirement: ") || e.getMessage().startsWith("found '"),
        e.getMessage());
  }

  @Test
  void keyAndValueLengthLimits() {
    String name63 = "a".repeat(63);
    assertTrue(LabelSelector.parse(name63 + "=" + name63).matches(labels("{\"" + name63 + "\":\"" + name63 + "\"}")));
    assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse(name63 + "b=x"));
    assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("x=" + name63 + "b"));
    String prefix253 = ("a".repeat(49) + ".").repeat(5) + "abc";
    assertEquals(253, prefix253.length());
    LabelSelector.parse(prefix253 + "/k=v");
    assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("a" + prefix253 + "/k=v"));
  }

  @Test
  void messagesNameTheOffendingToken() {
    assertEquals("unable to parse requirement: found 'b', expected: '('",
        assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("a in b")).getMessage());
    assertEquals("found ',', expected: identifier after ','",
        assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("a,,b")).getMessage());
  }
}
