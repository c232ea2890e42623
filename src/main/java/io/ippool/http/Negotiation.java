package io.ippool.http;

import io.ippool.errors.ApiException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Accept negotiation for resource endpoints: JSON, YAML, and the meta.k8s.io transforms (Table,
 * PartialObjectMetadata[List]) that kubectl and controllers request. Protobuf clauses are skipped; when
 * nothing usable is left, 406.
 */
public final class Negotiation {
  public enum Format { JSON, YAML, TABLE, PARTIAL }

  /** The chosen representation; {@code transformVersion} is v1 or v1beta1 for Table/Partial. */
  public record Choice(Format format, String transformVersion, boolean list) {
    public boolean isTransform() {
      return format == Format.TABLE || format == Format.PARTIAL;
    }
  }

  private static final String ACCEPTED = "only the following media types are accepted: application/json, "
      + "application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io, "
      + "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io";

  private Negotiation() {
  }

  private record Clause(String type, Map<String, String> params, double q, int order) {
  }

  /** @param list whether the endpoint answers a list (decides which transform names are acceptable) */
  public static Choice negotiate(String accept, boolean list) {
    if (accept == null || accept.isBlank()) {
      return new Choice(Format.JSON, null, list);
    }
    List<Clause> clauses = new ArrayList<>();
    int order = 0;
    for (String raw : accept.split(",")) {
      String[] parts = raw.trim().split(";");
      Map<String, String> params = new HashMap<>();
      double q = 1.0;
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].trim().split("=", 2);
        if (kv.length == 2) {
          if (kv[0].trim().equals("q")) {
            try {
              q = Double.parseDouble(kv[1].trim());
            } catch (NumberFormatException e) {
              q = 0;
            }
          } else {
            params.put(kv[0].trim(), kv[1].trim());
          }
        }
      }
      clauses.add(new Clause(parts[0].trim().toLowerCase(), params, q, order++));
    }
    clauses.sort(Comparator.comparingDouble((Clause c) -> -c.q).thenComparingInt(c -> c.order));
    for (Clause c : clauses) {
      if (c.q <= 0) {
        continue;
      }
      Choice choice = usable(c, list);
      if (choice != null) {
        return choice;
      }
    }
    throw ApiException.notAcceptable(ACCEPTED);
  }

  private static Choice usable(Clause c, boolean list) {
    boolean json = c.type.equals("application/json") || c.type.equals("*/*") || c.type.equals("application/*");
    boolean yaml = c.type.equals("application/yaml");
    if (!json && !yaml) {
      return null;
    }
    String as = c.params.get("as");
    if (as == null) {
      return new Choice(yaml ? Format.YAML : Format.JSON, null, list);
    }
    String g = c.params.get("g");
    String v = c.params.get("v");
    if (!"meta.k8s.io".equals(g) || !("v1".equals(v) || "v1beta1".equals(v)) || yaml) {
      return null;
    }
    return switch (as) {
      case "Table" -> new Choice(Format.TABLE, v, list);
      case "PartialObjectMetadata" -> list ? null : new Choice(Format.PARTIAL, v, false);
      case "PartialObjectMetadataList" -> list ? new Choice(Format.PARTIAL, v, true) : null;
      default -> null;
    };
  }
}
