package io.ippool.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.ippool.api.Json;

/**
 * metav1.ObjectMeta as a structural schema. kube-apiserver never prunes a custom resource's metadata with the
 * CRD schema (which only says {@code type: object}); it decodes it into ObjectMeta, which keeps the known
 * fields and (with strict field validation) reports the rest as unknown. Modelling ObjectMeta as a schema lets
 * the one pruning walk do both.
 */
final class ObjectMetaSchema {
  private static final String STRING = "{\"type\":\"string\"}";
  private static final String STRING_MAP = "{\"type\":\"object\",\"additionalProperties\":" + STRING + "}";

  private static final String JSON = "{\"type\":\"object\",\"properties\":{"
      + "\"name\":" + STRING + ","
      + "\"generateName\":" + STRING + ","
      + "\"namespace\":" + STRING + ","
      + "\"selfLink\":" + STRING + ","
      + "\"uid\":" + STRING + ","
      + "\"resourceVersion\":" + STRING + ","
      + "\"generation\":{\"type\":\"integer\",\"format\":\"int64\"},"
      + "\"creationTimestamp\":{\"type\":\"string\",\"format\":\"date-time\"},"
      + "\"deletionTimestamp\":{\"type\":\"string\",\"format\":\"date-time\"},"
      + "\"deletionGracePeriodSeconds\":{\"type\":\"integer\",\"format\":\"int64\"},"
      + "\"labels\":" + STRING_MAP + ","
      + "\"annotations\":" + STRING_MAP + ","
      + "\"ownerReferences\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
      + "\"apiVersion\":" + STRING + ",\"kind\":" + STRING + ",\"name\":" + STRING + ",\"uid\":" + STRING + ","
      + "\"controller\":{\"type\":\"boolean\"},\"blockOwnerDeletion\":{\"type\":\"boolean\"}}}},"
      + "\"finalizers\":{\"type\":\"array\",\"items\":" + STRING + "},"
      + "\"managedFields\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
      + "\"manager\":" + STRING + ",\"operation\":" + STRING + ",\"apiVersion\":" + STRING + ","
      + "\"time\":{\"type\":\"string\",\"format\":\"date-time\"},\"fieldsType\":" + STRING + ","
      + "\"fieldsV1\":{\"type\":\"object\",\"x-kubernetes-preserve-unknown-fields\":true},"
      + "\"subresource\":" + STRING + "}}}"
      + "}}";

  static final SchemaNode ROOT = parse();

  private ObjectMetaSchema() {
  }

  private static SchemaNode parse() {
    try {
      return SchemaNode.parse(Json.MAPPER.readTree(JSON));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
