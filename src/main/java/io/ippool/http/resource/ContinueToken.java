package io.ippool.http.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.Json;
import io.ippool.errors.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The opaque list continue token: the revision of the first page and the key to continue after. */
record ContinueToken(long resourceVersion, String namespace, String name) {

  String encode() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("v", "meta.k8s.io/v1");
    o.put("rv", resourceVersion);
    o.put("ns", namespace);
    o.put("start", name);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(o).getBytes(StandardCharsets.UTF_8));
  }

  static ContinueToken decode(String token) {
    try {
      JsonNode o = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(token));
      if (!"meta.k8s.io/v1".equals(o.path("v").asText()) || !o.path("rv").canConvertToLong()) {
        throw new IllegalArgumentException();
      }
      return new ContinueToken(o.get("rv").asLong(), o.path("ns").asText(""), o.path("start").asText(""));
    } catch (Exception e) {
      throw ApiException.badRequest("continue key is not valid: " + token);
    }
  }
}
