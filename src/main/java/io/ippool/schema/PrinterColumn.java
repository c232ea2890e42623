package io.ippool.schema;

/**
 * One Table column from a CRD's additionalPrinterColumns (or the synthetic Name/Age columns).
 * {@code description} is already defaulted the way kube-apiserver does when the CRD gives none.
 */
public record PrinterColumn(String name, String type, String format, String description, int priority,
    String jsonPath) {
}
