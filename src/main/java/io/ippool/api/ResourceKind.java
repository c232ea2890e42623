package io.ippool.api;

import java.util.List;

/**
 * Everything the server needs to know about one served kind: names for discovery and errors, scope,
 * subresources. Schema, printer columns and admission are attached by {@link KindRegistry}.
 */
public record ResourceKind(
    String group,
    String version,
    String kind,
    String listKind,
    String plural,
    String singular,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    boolean hasStatusSubresource) {


  public String apiVersion() {
    return group + "/" + version;
  }

  /** "plural.group", as errors name the resource. */
  public String groupResource() {
    return plural + "." + group;
  }
}
