package io.ippool.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.errors.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds meta.k8s.io Table responses the way the CRD handler's tableconvertor does: Name first, then the
 * CRD's additionalPrinterColumns (Age only when the CRD defines none), cells read by JSONPath and typed per
 * column. Transport concerns (Accept negotiation, watch framing) stay in the HTTP layer.
 */
public final class TableConverter {
  static final String NAME_DESCRIPTION = "Name must be unique within a namespace. Is required when creating"
      + " resources, although some resources may allow a client to request the generation of an appropriate name"
      + " automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot"
      + " be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
  static final String AGE_DESCRIPTION = "CreationTimestamp is a timestamp representing the server time when this"
      + " object was created. It is not guaranteed to be set in happens-before order across separate operations."
      + " Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the"
      + " system. Read-only. Null for lists. More info:"
      + " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

  /** TableOptions.includeObject. */
  public enum IncludeObject {
    NONE, METADATA, OBJECT;

    /** Parses the query parameter; null/empty means Metadata. Anything else is kube's 400. */
    public static IncludeObject parse(String value) {
      if (value == null || value.isEmpty() || value.equals("Metadata")) {
        return METADATA;
      }
      if (value.equals("None")) {
        return NONE;
      }
      if (value.equals("Object")) {
        return OBJECT;
      }
      throw ApiException.badRequest("Unable to convert to Table as requested: includeObject: Invalid value: \""
          + value + "\": must be 'Metadata', 'Object', 'None', or empty");
    }
  }

  /**
   * @param apiVersion  meta.k8s.io/v1 or meta.k8s.io/v1beta1 (the Accept clause that matched)
   * @param include     what each row's {@code object} carries
   * @param noHeaders   true to send {@code columnDefinitions: null} (watch events after the first)
   */
  public record Options(String apiVersion, IncludeObject include, boolean noHeaders) {
    public static Options defaults() {
      return new Options(PartialObjectMetadata.V1, IncludeObject.METADATA, false);
    }
  }

  private final KindSpec kind;
  private final List<PrinterColumn> columns;
  private final List<JsonPath> paths;
  private final Clock clock;

  public TableConverter(KindSpec kind) {
    this(kind, Clock.systemUTC());
  }

  TableConverter(KindSpec kind, Clock clock) {
    this.kind = kind;
    this.clock = clock;
    this.columns = columns(kind);
    List<JsonPath> compiled = new ArrayList<>();
    for (PrinterColumn c : columns.subList(1, columns.size())) {
      compiled.add(JsonPath.compile(c.jsonPath()));
    }
    this.paths = List.copyOf(compiled);
  }

  public KindSpec kind() {
    return kind;
  }

  /** Name, then the CRD's columns, or Name + Age when the CRD has none (serveDefaultColumnsIfEmpty). */
  public static List<PrinterColumn> columns(KindSpec kind) {
    List<PrinterColumn> out = new ArrayList<>();
    out.add(new PrinterColumn("Name", "string", "name", NAME_DESCRIPTION, 0, ".metadata.name"));
    if (kind.printerColumns().isEmpty()) {
      out.add(new PrinterColumn("Age", "date", "", AGE_DESCRIPTION, 0, ".metadata.creationTimestamp"));
    } else {
      out.addAll(kind.printerColumns());
    }
    return List.copyOf(out);
  }

  /** Table for a list response; metadata copies the list's resourceVersion/continue/remainingItemCount. */
  public ObjectNode list(List<ObjectNode> items, ListMeta listMeta, Options opts) {
    ObjectNode table = header(listMeta.toJson(), opts);
    ArrayNode rows = table.putArray("rows");
    for (ObjectNode item : items) {
      rows.add(row(item, opts));
    }
    return table;
  }

  /** Table for a single object (get, or one watch event); metadata.resourceVersion is the object's. */
  public ObjectNode single(ObjectNode obj, Options opts) {
    String rv = obj.path("metadata").path("resourceVersion").asText("");
    ObjectNode table = header(ListMeta.of(rv).toJson(), opts);
    table.putArray("rows").add(row(obj, opts));
    return table;
  }

  private ObjectNode header(ObjectNode metadata, Options opts) {
    ObjectNode table = JsonNodeFactory.instance.objectNode();
    table.put("kind", "Table");
    table.put("apiVersion", opts.apiVersion());
    table.set("metadata", metadata);
    if (opts.noHeaders()) {
      table.putNull("columnDefinitions");
    } else {
      ArrayNode defs = table.putArray("columnDefinitions");
      for (PrinterColumn c : columns) {
        ObjectNode d = defs.addObject();
        d.put("name", c.name());
        d.put("type", c.type());
        d.put("format", c.format());
        d.put("description", c.description());
        d.put("priority", c.priority());
      }
    }
    return table;
  }

  private ObjectNode row(ObjectNode obj, Options opts) {
    ObjectNode row = JsonNodeFactory.instance.objectNode();
    ArrayNode cells = row.putArray("cells");
    cells.add(obj.path("metadata").path("name").asText(""));
    for (int i = 0; i < paths.size(); i++) {
      cells.add(cell(columns.get(i + 1).type(), paths.get(i).find(obj)));
    }
    switch (opts.include()) {
      case METADATA -> row.set("object", PartialObjectMetadata.of(obj, opts.apiVersion()));
      case OBJECT -> row.set("object", obj.deepCopy());
      case NONE -> { }
    }
    return row;
  }

  /** One cell: string columns print any value (JSON text for arrays/maps); typed columns need the right type. */
  JsonNode cell(String type, JsonNode value) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (value == null || value.isNull()) {
      return f.nullNode();
    }
    switch (type) {
      case "string" -> {
        if (value.isArray() || value.isObject()) {
          return f.textNode(GoJson.write(value));
        }
        if (value.isTextual()) {
          return f.textNode(value.asText());
        }
        if (value.isNumber() && !JsonKinds.isInt64(value)) {
          return f.textNode(goPrintFloat(value.asDouble()));
        }
        return f.textNode(value.asText());
      }
      case "integer" -> {
        if (JsonKinds.isInt64(value)) {
          return f.numberNode(value.asLong());
        }
        return value.isNumber() ? f.numberNode((long) value.asDouble()) : f.nullNode();
      }
      case "number" -> {
        if (!value.isNumber()) {
          return f.nullNode();
        }
        double d = value.asDouble();
        // Go writes float64(3) as 3, not 3.0.
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? f.numberNode((long) d) : f.numberNode(d);
      }
      case "boolean" -> {
        return value.isBoolean() ? f.booleanNode(value.asBoolean()) : f.nullNode();
      }
      case "date" -> {
        return value.isTextual() ? f.textNode(age(value.asText())) : f.nullNode();
      }
      default -> {
        return f.nullNode();
      }
    }
  }

  private String age(String timestamp) {
    try {
      Instant t = OffsetDateTime.parse(timestamp).toInstant();
      if (t.equals(Instant.parse("0001-01-01T00:00:00Z"))) {
        return "<unknown>";
      }
      return HumanDuration.of(Duration.between(t, clock.instant()));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  /** fmt.Fprint of a float64 (%v = shortest %g): exponent form when the exponent is < -4 or >= 6. */
  static String goPrintFloat(double d) {
    if (d == 0) {
      return "0";
    }
    java.math.BigDecimal bd = new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros();
    int exp = bd.precision() - bd.scale() - 1;
    if (exp >= -4 && exp < 6) {
      return bd.toPlainString();
    }
    String digits = bd.unscaledValue().abs().toString();
    String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String e = Integer.toString(Math.abs(exp));
    return (d < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
  }
}
