package io.ippool.registry.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 6902 (its appendix A examples) and RFC 6901 pointers, as kube-apiserver applies application/json-patch+json. */
class JsonPatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      A.1 add member          | {"foo":"bar"}                     | [{"op":"add","path":"/baz","value":"qux"}] | {"foo":"bar","baz":"qux"}
      A.2 add array element   | {"foo":["bar","baz"]}             | [{"op":"add","path":"/foo/1","value":"qux"}] | {"foo":["bar","qux","baz"]}
      A.3 remove member       | {"baz":"qux","foo":"bar"}         | [{"op":"remove","path":"/baz"}] | {"foo":"bar"}
      A.4 remove element      | {"foo":["bar","qux","baz"]}       | [{"op":"remove","path":"/foo/1"}] | {"foo":["bar","baz"]}
      A.5 replace             | {"baz":"qux","foo":"bar"}         | [{"op":"replace","path":"/baz","value":"boo"}] | {"baz":"boo","foo":"bar"}
      A.6 move member         | {"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}} | [{"op":"move","from":"/foo/waldo","path":"/qux/thud"}] | {"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}
      A.7 move element        | {"foo":["all","grass","cows","eat"]} | [{"op":"move","from":"/foo/1","path":"/foo/3"}] | {"foo":["all","cows","eat","grass"]}
      A.8 test succeeds       | {"baz":"qux","foo":["a",2,"c"]}   | [{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}] | {"baz":"qux","foo":["a",2,"c"]}
      A.10 add nested object  | {"foo":"bar"}                     | [{"op":"add","path":"/child","value":{"grandchild":{}}}] | {"foo":"bar","child":{"grandchild":{}}}
      A.11 unknown members    | {"foo":"bar"}                     | [{"op":"add","path":"/baz","value":"qux","xyz":123}] | {"foo":"bar","baz":"qux"}
      A.14 escape order       | {"/":9,"~1":10}                   | [{"op":"test","path":"/~01","value":10}] | {"/":9,"~1":10}
      A.16 add array value    | {"foo":["bar"]}                   | [{"op":"add","path":"/foo/-","value":["abc","def"]}] | {"foo":["bar",["abc","def"]]}
      add at end index        | {"a":[1,2]}                       | [{"op":"add","path":"/a/2","value":3}] | {"a":[1,2,3]}
      add replaces member     | {"a":1}                           | [{"op":"add","path":"/a","value":2}] | {"a":2}
      add null value          | {}                                | [{"op":"add","path":"/a","value":null}] | {"a":null}
      add root replaces doc   | {"a":1}                           | [{"op":"add","path":"","value":{"b":2}}] | {"b":2}
      empty key pointer       | {"":1}                            | [{"op":"replace","path":"/","value":2}] | {"":2}
      slash in key            | {"a/b":1}                         | [{"op":"remove","path":"/a~1b"}] | {}
      tilde in key            | {"m~n":1}                         | [{"op":"copy","from":"/m~0n","path":"/x"}] | {"m~n":1,"x":1}
      copy is deep            | {"a":{"b":1}}                     | [{"op":"copy","from":"/a","path":"/c"},{"op":"replace","path":"/c/b","value":2}] | {"a":{"b":1},"c":{"b":2}}
      test compares deeply    | {"a":{"x":[1,{"y":true}]}}        | [{"op":"test","path":"/a","value":{"x":[1,{"y":true}]}}] | {"a":{"x":[1,{"y":true}]}}
      test root               | {"a":1}                           | [{"op":"test","path":"","value":{"a":1}}] | {"a":1}
      ops apply in order      | {}                                | [{"op":"add","path":"/a","value":[]},{"op":"add","path":"/a/-","value":1},{"op":"move","from":"/a","path":"/b"}] | {"b":[1]}
      empty patch             | {"a":1}                           | [] | {"a":1}
      """)
  void applies(String name, String doc, String patch, String expected) {
    JsonNode target = json(doc);
    assertEquals(json(expected), JsonPatch.apply(target, json(patch)));
    assertEquals(json(doc), target, "the target is not modified in place");
  }

  /**
   * Well-formed operations that cannot apply to this document: kube answers 422 Invalid. kube's json-patch
   * compares scalars by their JSON text, so a test for 1.0 fails on a stored 1.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      A.9 test fails              | {"baz":"qux"}        | [{"op":"test","path":"/baz","value":"bar"}]
      A.12 add under missing      | {"foo":"bar"}        | [{"op":"add","path":"/baz/bat","value":"qux"}]
      A.15 string is not number   | {"/":9,"~1":10}      | [{"op":"test","path":"/~01","value":"10"}]
      remove missing member       | {"a":1}              | [{"op":"remove","path":"/b"}]
      replace missing member      | {"a":1}              | [{"op":"replace","path":"/b","value":1}]
      remove past the end         | {"a":[1]}            | [{"op":"remove","path":"/a/1"}]
      add beyond the end          | {"a":[1]}            | [{"op":"add","path":"/a/2","value":2}]
      negative index              | {"a":[1]}            | [{"op":"add","path":"/a/-1","value":2}]
      leading zero index          | {"a":[1,2]}          | [{"op":"replace","path":"/a/01","value":3}]
      dash only appends           | {"a":[1]}            | [{"op":"remove","path":"/a/-"}]
      word as index               | {"a":[1]}            | [{"op":"replace","path":"/a/x","value":2}]
      move from missing           | {"a":1}              | [{"op":"move","from":"/b","path":"/c"}]
      copy from missing           | {"a":1}              | [{"op":"copy","from":"/b","path":"/c"}]
      move into own child         | {"a":{"b":1}}        | [{"op":"move","from":"/a","path":"/a/b/c"}]
      pointer without slash       | {"a":1}              | [{"op":"remove","path":"a"}]
      child of a scalar           | {"a":1}              | [{"op":"add","path":"/a/b","value":1}]
      test missing path           | {"a":1}              | [{"op":"test","path":"/b","value":1}]
      remove the whole document   | {"a":1}              | [{"op":"remove","path":""}]
      test compares number text   | {"a":1}              | [{"op":"test","path":"/a","value":1.0}]
      """)
  void failsToApply(String name, String doc, String patch) {
    assertThrows(JsonPatch.PatchFailure.class, () -> JsonPatch.apply(json(doc), json(patch)));
  }

  /** A malformed patch document: kube answers 400 BadRequest before looking at the object. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      object, not array     | {"op":"add","path":"/a","value":1}
      operation not object  | ["add"]
      missing op            | [{"path":"/a","value":1}]
      unknown op            | [{"op":"merge","path":"/a","value":1}]
      missing path          | [{"op":"remove"}]
      add without value     | [{"op":"add","path":"/a"}]
      replace without value | [{"op":"replace","path":"/a"}]
      test without value    | [{"op":"test","path":"/a"}]
      move without from     | [{"op":"move","path":"/a"}]
      copy without from     | [{"op":"copy","path":"/b"}]
      """)
  void rejectsMalformed(String name, String patch) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JsonPatch.apply(json("{\"a\":1}"), json(patch)));
    assertEquals(IllegalArgumentException.class, e.getClass());
  }

  @Test
  void laterOperationFailureLeavesTargetUntouched() {
    JsonNode target = json("{\"a\":1}");
    assertThrows(JsonPatch.PatchFailure.class, () -> JsonPatch.apply(target,
        json("[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2},{\"op\":\"remove\",\"path\":\"/zz\"}]")));
    assertEquals(json("{\"a\":1}"), target);
  }

  @Test
  void failureNamesThePath() {
    var e = assertThrows(JsonPatch.PatchFailure.class, () -> JsonPatch.apply(json("{\"spec\":{}}"),
        json("[{\"op\":\"test\",\"path\":\"/spec\",\"value\":1}]")));
    assertEquals("testing value /spec failed", e.getMessage());
  }
}
