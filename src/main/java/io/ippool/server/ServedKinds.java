package io.ippool.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.api.ResourceKind;
import io.ippool.http.Responses;
import io.ippool.registry.KindAdmission;
import io.ippool.registry.KindDefinition;
import io.ippool.registry.KindSchema;
import io.ippool.registry.KindTable;
import java.util.List;

/** The kinds this server serves, with their schema, admission and printer columns wired in. */
public final class ServedKinds {
  private ServedKinds() {
  }

  public static List<KindDefinition> all() {
    return List.of(
        new KindDefinition(ResourceKind.IPPOOL, NoSchema.INSTANCE, KindAdmission.NONE, NameTable.INSTANCE,
            "QLCm9TZ2Fgs="),
        new KindDefinition(ResourceKind.RESERVED_IP, NoSchema.INSTANCE, KindAdmission.NONE, NameTable.INSTANCE,
            "nQIAt9/+x7c="));
  }

  /** Bootstrap placeholder until the CRD schemas are wired in. */
  enum NoSchema implements KindSchema {
    INSTANCE;

    @Override
    public List<String> unknownFields(ObjectNode obj) {
      return List.of();
    }

    @Override
    public void prune(ObjectNode obj) {
    }

    @Override
    public void applyDefaults(ObjectNode obj) {
    }

    @Override
    public List<FieldError> validate(ObjectNode obj) {
      return List.of();
    }

    @Override
    public List<FieldError> validateMetadata(ObjectNode metadata) {
      return List.of();
    }
  }

  /** Bootstrap placeholder until the CRD printer columns are wired in. */
  enum NameTable implements KindTable {
    INSTANCE;

    @Override
    public ObjectNode table(String apiVersion, List<ObjectNode> objects, ObjectNode listMeta, String includeObject,
                            boolean withHeaders) {
      ObjectNode t = Responses.F.objectNode();
      t.put("kind", "Table");
      t.put("apiVersion", apiVersion);
      t.set("metadata", listMeta);
      ArrayNode cols = t.putArray("columnDefinitions");
      if (withHeaders) {
        ObjectNode c = cols.addObject();
        c.put("name", "Name");
        c.put("type", "string");
        c.put("format", "name");
        c.put("description", "");
        c.put("priority", 0);
      }
      ArrayNode rows = t.putArray("rows");
      for (ObjectNode o : objects) {
        ObjectNode r = rows.addObject();
        r.putArray("cells").add(o.path("metadata").path("name").asText());
      }
      return t;
    }
  }
}
