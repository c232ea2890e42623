package io.ippool.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Method and path to the attributes authorization sees, as k8s.io/apiserver's RequestInfoFactory derives them:
 * a GET without a name is a list (a watch with ?watch= anything but false/0), a DELETE without a name is a
 * deletecollection, /watch/ paths are watches.
 */
class RequestInfoTest {
  private static final String G = "/apis/spiderpool.spidernet.io/v2beta1";

  @ParameterizedTest(name = "{0} {1} watch={2}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      GET    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools            | -     | list             | ''      | spiderippools     | ''     | ''
      HEAD   | /apis/spiderpool.spidernet.io/v2beta1/spiderippools/p1         | -     | get              | ''      | spiderippools     | p1     | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools/p1         | -     | get              | ''      | spiderippools     | p1     | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools/           | -     | list             | ''      | spiderippools     | ''     | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools            | true  | watch            | ''      | spiderippools     | ''     | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools            | 1     | watch            | ''      | spiderippools     | ''     | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools            | ''    | watch            | ''      | spiderippools     | ''     | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools            | false | list             | ''      | spiderippools     | ''     | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools            | False | list             | ''      | spiderippools     | ''     | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools            | 0     | list             | ''      | spiderippools     | ''     | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools/p1         | true  | get              | ''      | spiderippools     | p1     | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/watch/spiderippools      | -     | watch            | ''      | spiderippools     | ''     | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/watch/spiderippools/p1   | -     | watch            | ''      | spiderippools     | p1     | ''
      POST   | /apis/spiderpool.spidernet.io/v2beta1/spiderippools            | -     | create           | ''      | spiderippools     | ''     | ''
      PUT    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools/p1         | -     | update           | ''      | spiderippools     | p1     | ''
      PUT    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools/p1/status  | -     | update           | ''      | spiderippools     | p1     | status
      PATCH  | /apis/spiderpool.spidernet.io/v2beta1/spiderippools/p1/status  | -     | patch            | ''      | spiderippools     | p1     | status
      DELETE | /apis/spiderpool.spidernet.io/v2beta1/spiderippools/p1         | -     | delete           | ''      | spiderippools     | p1     | ''
      DELETE | /apis/spiderpool.spidernet.io/v2beta1/spiderippools            | -     | deletecollection | ''      | spiderippools     | ''     | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/namespaces/ns1/spiderendpoints      | -    | list   | ns1 | spiderendpoints | ''  | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/namespaces/ns1/spiderendpoints/web  | -    | get    | ns1 | spiderendpoints | web | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/watch/namespaces/ns1/spiderendpoints | -   | watch  | ns1 | spiderendpoints | ''  | ''
      DELETE | /apis/spiderpool.spidernet.io/v2beta1/namespaces/ns1/spiderendpoints      | -    | deletecollection | ns1 | spiderendpoints | '' | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/namespaces/ns1                      | -    | get    | ''  | namespaces      | ns1 | ''
      GET    | /apis/spiderpool.spidernet.io/v2beta1/spiderippools/p1/status/extra       | -    | get    | ''  | spiderippools   | p1  | status/extra
      """)
  void resourceRequests(String method, String path, String watch, String verb, String namespace, String resource,
                        String name, String subresource) {
    RequestInfo ri = RequestInfo.parse(method, path, watch);
    assertEquals(new RequestInfo(true, verb, "spiderpool.spidernet.io", "v2beta1", namespace, resource, name,
        subresource, path), ri);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      GET    | /apis
      GET    | /apis/spiderpool.spidernet.io
      GET    | /apis/spiderpool.spidernet.io/v2beta1
      GET    | /apis/spiderpool.spidernet.io/v2beta1/
      GET    | /openapi/v3
      GET    | /healthz
      POST   | /v1/ipam/ip
      """)
  void nonResourceRequests(String method, String path) {
    assertEquals(new RequestInfo(false, method.toLowerCase(), "", "", "", "", "", "", path),
        RequestInfo.parse(method, path, null));
  }

  @ParameterizedTest(name = "watch={0} -> {1}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      -     | false
      ''    | true
      true  | true
      yes   | true
      1     | true
      false | false
      FALSE | false
      0     | false
      """)
  void queryFlagsReadAsKubeDoes(String value, boolean expected) {
    assertEquals(expected, QueryFlags.isTrue(value));
    assertEquals(expected ? "watch" : "list", RequestInfo.parse("GET", G + "/spiderippools", value).verb());
  }
}
