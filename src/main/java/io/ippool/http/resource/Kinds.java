package io.ippool.http.resource;

import io.ippool.registry.KindDefinition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kinds this server serves, by plural, all of one API group and version (the one the APIService names), so
 * routing and discovery take the group from here rather than knowing it. Order is discovery order.
 */
public final class Kinds {
  private final Map<String, KindDefinition> byPlural = new LinkedHashMap<>();
  private final String group;
  private final String version;

  public Kinds(List<KindDefinition> defs) {
    if (defs.isEmpty()) {
      throw new IllegalArgumentException("no kinds to serve");
    }
    group = defs.get(0).kind().group();
    version = defs.get(0).kind().version();
    for (KindDefinition d : defs) {
      if (!d.kind().group().equals(group) || !d.kind().version().equals(version)) {
        throw new IllegalArgumentException(d.kind().kind() + " is not in " + group + "/" + version);
      }
      byPlural.put(d.kind().plural(), d);
    }
  }

  public String group() {
    return group;
  }

  public String version() {
    return version;
  }

  /** "group/version", as apiVersion and discovery's groupVersion write it. */
  public String groupVersion() {
    return group + "/" + version;
  }

  public KindDefinition byPlural(String plural) {
    return byPlural.get(plural);
  }

  public List<KindDefinition> all() {
    return List.copyOf(byPlural.values());
  }
}
