package io.ippool.spiderpool;

/** A pool summary for candidate selection: spec.default and wildcard pool names are resolved against these. */
public record PoolCatalogEntry(String name, int family, boolean isDefault) {
}
