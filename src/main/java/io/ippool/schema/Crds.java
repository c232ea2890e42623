package io.ippool.schema;

import io.ippool.spiderpool.Spiderpool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.Json;
import io.ippool.api.ResourceKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The six Spiderpool kinds, read once from the CRD YAMLs under classpath:crds/. The CRDs are the single
 * source for names, scope, schema and printer columns, so following a Spiderpool upgrade means replacing
 * the YAML files.
 */
public final class Crds {
  /** Stable order: the two IPAM kinds first (discovery and OpenAPI list them in this order). */
  static final List<String> FILES = Spiderpool.CRD_FILES;

  private static final List<KindSpec> ALL = load();

  private Crds() {
  }

  public static List<KindSpec> all() {
    return ALL;
  }

  public static Optional<KindSpec> byPlural(String plural) {
    return ALL.stream().filter(k -> k.kind().plural().equals(plural)).findFirst();
  }

  public static Optional<KindSpec> byKind(String kind) {
    return ALL.stream().filter(k -> k.kind().kind().equals(kind)).findFirst();
  }

  private static List<KindSpec> load() {
    List<KindSpec> out = new ArrayList<>();
    for (String file : FILES) {
      try (InputStream in = Crds.class.getClassLoader().getResourceAsStream("crds/" + file)) {
        if (in == null) {
          throw new IllegalStateException("missing CRD on classpath: crds/" + file);
        }
        out.add(parse(Json.YAML.readTree(in)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read CRD " + file, e);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** Builds the KindSpec of the served (and storage) version of one CRD document. */
  static KindSpec parse(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText();
    JsonNode names = spec.path("names");
    JsonNode version = null;
    for (JsonNode v : spec.path("versions")) {
      if (v.path("served").asBoolean() && v.path("name").asText().equals(Spiderpool.VERSION)) {
        version = v;
      }
    }
    if (version == null) {
      throw new IllegalStateException("CRD " + crd.path("metadata").path("name").asText() + " does not serve "
          + Spiderpool.VERSION);
    }
    ResourceKind kind = new ResourceKind(group, version.path("name").asText(), names.path("kind").asText(),
        names.path("listKind").asText(), names.path("plural").asText(), names.path("singular").asText(),
        "Namespaced".equals(spec.path("scope").asText()), strings(names.path("shortNames")),
        strings(names.path("categories")), version.path("subresources").has("status"));
    List<PrinterColumn> columns = new ArrayList<>();
    for (JsonNode c : version.path("additionalPrinterColumns")) {
      String jsonPath = c.path("jsonPath").asText();
      String description = c.hasNonNull("description") ? c.get("description").asText()
          : "Custom resource definition column (in JSONPath format): " + jsonPath;
      columns.add(new PrinterColumn(c.path("name").asText(), c.path("type").asText(), c.path("format").asText(""),
          description, c.path("priority").asInt(0), jsonPath));
    }
    StructuralSchema schema = StructuralSchema.of((ObjectNode) version.path("schema").path("openAPIV3Schema"));
    return new KindSpec(kind, schema, List.copyOf(columns),
        KindSpec.storageVersionHash(group, kind.version(), kind.kind()));
  }

  private static List<String> strings(JsonNode arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(n -> out.add(n.asText()));
    return List.copyOf(out);
  }
}
