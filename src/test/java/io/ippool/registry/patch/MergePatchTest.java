package io.ippool.registry.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7386 (its appendix A table) as kube-apiserver applies application/merge-patch+json. */
class MergePatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  @ParameterizedTest(name = "{0} + {1} = {2}")
  @CsvSource(delimiter = '|', textBlock = """
      {"a":"b"}                 | {"a":"c"}                 | {"a":"c"}
      {"a":"b"}                 | {"b":"c"}                 | {"a":"b","b":"c"}
      {"a":"b"}                 | {"a":null}                | {}
      {"a":"b","b":"c"}         | {"a":null}                | {"b":"c"}
      {"a":["b"]}               | {"a":"c"}                 | {"a":"c"}
      {"a":"c"}                 | {"a":["b"]}               | {"a":["b"]}
      {"a":{"b":"c"}}           | {"a":{"b":"d","c":null}}  | {"a":{"b":"d"}}
      {"a":[{"b":"c"}]}         | {"a":[1]}                 | {"a":[1]}
      ["a","b"]                 | ["c","d"]                 | ["c","d"]
      {"a":"b"}                 | ["c"]                     | ["c"]
      {"a":"foo"}               | null                      | null
      {"a":"foo"}               | "bar"                     | "bar"
      {"e":null}                | {"a":1}                   | {"e":null,"a":1}
      [1,2]                     | {"a":"b","c":null}        | {"a":"b"}
      {}                        | {"a":{"bb":{"ccc":null}}} | {"a":{"bb":{}}}
      {"spec":{"ips":["10.0.0.1"],"gateway":"10.0.0.254"}} | {"spec":{"ips":["10.0.0.2"]}} | {"spec":{"ips":["10.0.0.2"],"gateway":"10.0.0.254"}}
      {"metadata":{"labels":{"a":"1","b":"2"}}} | {"metadata":{"labels":{"a":null}}} | {"metadata":{"labels":{"b":"2"}}}
      {"a":{"b":1}}             | {"a":null,"c":{"d":null}} | {"c":{}}
      {"a":1}                   | {}                        | {"a":1}
      """)
  void rfc7386(String target, String patch, String expected) {
    JsonNode t = json(target);
    assertEquals(json(expected), MergePatch.apply(t, json(patch)));
    assertEquals(json(target), t, "the target is not modified in place");
  }
}
