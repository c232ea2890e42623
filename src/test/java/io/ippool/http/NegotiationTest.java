package io.ippool.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ippool.errors.ApiException;
import io.ippool.http.Negotiation.Choice;
import io.ippool.http.Negotiation.Format;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Accept headers kubectl, client-go and fabric8 send to a resource endpoint, and what each gets back. */
class NegotiationTest {

  @ParameterizedTest(name = "[{0}] list={1} -> {2} {3}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      -                                                         | false | JSON    | -       | false
      ''                                                        | true  | JSON    | -       | true
      application/json                                          | false | JSON    | -       | false
      application/yaml                                          | true  | YAML    | -       | true
      */*                                                       | false | JSON    | -       | false
      application/*                                             | false | JSON    | -       | false
      Application/JSON                                          | false | JSON    | -       | false
      application/json;stream=watch                             | false | JSON    | -       | false
      application/json, */*                                     | false | JSON    | -       | false
      application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json | true | TABLE | v1 | true
      application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json | false | TABLE | v1 | false
      application/json;as=Table;v=v1beta1;g=meta.k8s.io         | true  | TABLE   | v1beta1 | true
      application/json ; as=Table ; v=v1 ; g=meta.k8s.io        | true  | TABLE   | v1      | true
      application/json;g=meta.k8s.io;v=v1;as=Table              | true  | TABLE   | v1      | true
      application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json | true | PARTIAL | v1 | true
      application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json | false | PARTIAL | v1 | false
      application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1 | false | PARTIAL | v1beta1 | false
      application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json | true | JSON | - | true
      application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json | false | JSON | - | false
      application/json;as=Table;v=v2;g=meta.k8s.io,application/json | true | JSON | - | true
      application/json;as=Table;v=v1;g=example.com,application/json | true | JSON | - | true
      application/json;as=Table;v=v1,application/yaml            | true  | YAML    | -       | true
      application/json;as=Status;v=v1;g=meta.k8s.io,application/json | true | JSON | - | true
      application/yaml;as=Table;v=v1;g=meta.k8s.io,application/json | true | JSON | - | true
      application/vnd.kubernetes.protobuf,application/json       | false | JSON    | -       | false
      application/yaml;q=0.5,application/json                    | false | JSON    | -       | false
      application/json;q=0.1,application/yaml                    | false | YAML    | -       | false
      application/json;q=0,application/yaml;q=0.2                | false | YAML    | -       | false
      application/json;q=x,application/yaml;q=0.2                | false | YAML    | -       | false
      text/html,application/json;q=0.9                           | false | JSON    | -       | false
      """)
  void chooses(String accept, boolean list, Format format, String transformVersion, boolean listAnswer) {
    assertEquals(new Choice(format, transformVersion, listAnswer), Negotiation.negotiate(accept, list));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "application/vnd.kubernetes.protobuf",
      "text/html",
      "application/json;q=0",
      "application/json;as=Table;v=v1",
      "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
      "application/xml, text/plain",
  })
  void nothingUsableIs406(String accept) {
    ApiException e = assertThrows(ApiException.class, () -> Negotiation.negotiate(accept, false));
    assertEquals(406, e.code());
    assertEquals("NotAcceptable", e.reason());
    assertEquals("only the following media types are accepted: application/json, application/yaml, "
        + "application/json;as=Table;v=v1;g=meta.k8s.io, "
        + "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io", e.getMessage());
  }
}
