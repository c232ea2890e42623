package io.ippool.http.resource;

import io.ippool.registry.KindDefinition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The kinds this server serves, by plural. Order is discovery order. */
public final class Kinds {
  private final Map<String, KindDefinition> byPlural = new LinkedHashMap<>();

  public Kinds(List<KindDefinition> defs) {
    for (KindDefinition d : defs) {
      byPlural.put(d.kind().plural(), d);
    }
  }

  public KindDefinition byPlural(String plural) {
    return byPlural.get(plural);
  }

  public List<KindDefinition> all() {
    return List.copyOf(byPlural.values());
  }
}
