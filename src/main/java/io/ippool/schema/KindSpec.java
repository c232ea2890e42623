package io.ippool.schema;

import io.ippool.api.ResourceKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Everything one CRD tells us about a kind: names and scope, its structural schema, its printer columns (as
 * written; the Table layer adds Name, and Age when there are none) and the storageVersionHash that discovery
 * publishes.
 */
public record KindSpec(ResourceKind kind, StructuralSchema schema, List<PrinterColumn> printerColumns,
    String storageVersionHash) {

  /** discovery's storageVersionHash: base64 of the first 8 bytes of sha256("group/version/Kind"). */
  public static String storageVersionHash(String group, String version, String kind) {
    try {
      byte[] sum = MessageDigest.getInstance("SHA-256")
          .digest((group + "/" + version + "/" + kind).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(Arrays.copyOf(sum, 8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
