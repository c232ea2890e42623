package io.ippool.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The one configured Jackson mapper, for every JSON document the server reads or writes (stored objects,
 * request and response bodies, admission reviews, OpenAPI), and its YAML counterpart. The variants below are
 * readers and writers derived from these two, so a setting made here holds everywhere.
 */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();
  public static final YAMLMapper YAML = new YAMLMapper();

  /** Refuses an object that repeats a key, as kube-apiserver's strict decoding does. */
  public static final ObjectReader STRICT = MAPPER.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  /** YAML with a repeated key does not parse, as in kube-apiserver. */
  public static final ObjectReader YAML_STRICT = YAML.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  /** For ?pretty=true. */
  public static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();
  /** YAML as kubectl prints it: no leading "---", strings unquoted where YAML allows. */
  public static final ObjectWriter YAML_WRITER = YAML.writer()
      .without(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).with(YAMLGenerator.Feature.MINIMIZE_QUOTES);

  private Json() {
  }

  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads JSON this server wrote itself (a stored object); anything else is a bug, not bad input. */
  public static ObjectNode readObject(String json) {
    try {
      return (ObjectNode) MAPPER.readTree(json);
    } catch (JsonProcessingException | ClassCastException e) {
      throw new IllegalStateException("stored object is not a JSON object", e);
    }
  }
}
