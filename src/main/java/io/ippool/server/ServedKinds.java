package io.ippool.server;

import io.ippool.spiderpool.Spiderpool;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.spiderpool.admission.IPPoolAdmission;
import io.ippool.spiderpool.admission.ReservedIPAdmission;
import io.ippool.api.FieldError;
import io.ippool.api.ResourceKind;
import io.ippool.admission.IPPoolKindAdmission;
import io.ippool.admission.PoolNeighbours;
import io.ippool.admission.ReservedIPKindAdmission;
import io.ippool.store.allocation.PoolLookups;
import io.ippool.iprange.Cidr;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.store.ResourceStore;
import io.ippool.store.StatusProjection;
import io.ippool.store.allocation.AllocationHook;
import io.ippool.store.allocation.PoolStatusProjection;
import io.vertx.sqlclient.Pool;
import io.ippool.registry.KindAdmission;
import io.ippool.registry.KindDefinition;
import io.ippool.registry.OwnFinalizers;
import io.ippool.spiderpool.PoolFinalizer;
import io.ippool.registry.KindSchema;
import io.ippool.registry.KindTable;
import io.ippool.schema.Crds;
import io.ippool.schema.KindSpec;
import io.ippool.schema.ListMeta;
import io.ippool.schema.ObjectMetaValidation;
import io.ippool.schema.StructuralSchema;
import io.ippool.schema.TableConverter;
import java.util.List;
import java.util.Map;

/** The six kinds of Spiderpool's group, from their CRDs, with admission wired in where Spiderpool had webhooks. */
public final class ServedKinds {
  private ServedKinds() {
  }

  /** Fields computed from other tables when read: SpiderIPPool's status, from the allocation rows. */
  public static Map<String, StatusProjection> projections() {
    return Map.of(Spiderpool.IPPOOL.plural(), new PoolStatusProjection());
  }

  /** The store every writer of our objects uses: the projections and the allocator's range-table hook. */
  public static ResourceStore store(Pool db) {
    return new ResourceStore(db, projections(), List.of(new AllocationHook()));
  }

  /** Spiderpool's webhooks, in-process, for the two kinds that had them. */
  public static Map<String, KindAdmission> spiderpoolAdmissions() {
    return Map.of(
        Spiderpool.IPPOOL.plural(), new IPPoolKindAdmission(new IPPoolAdmission(), ServedKinds::poolNeighbours),
        Spiderpool.RESERVED_IP.plural(), new ReservedIPKindAdmission(new ReservedIPAdmission()));
  }

  /** Pool admission's questions, answered by the allocator's tables in the write's transaction. */
  private static PoolNeighbours poolNeighbours(SqlConnection tx) {
    return new PoolNeighbours() {
      @Override
      public Future<List<ObjectNode>> overlapping(Cidr subnet) {
        return PoolLookups.overlapping(tx, subnet);
      }

      @Override
      public Future<Map<String, String>> allocated(String pool) {
        return PoolLookups.allocatedIpToPod(tx, pool);
      }
    };
  }

  /** @param admissions by plural; kinds not listed get no admission beyond their schema */
  public static List<KindDefinition> all(Map<String, KindAdmission> admissions) {
    return Crds.all().stream().map(spec -> new KindDefinition(spec.kind(), new CrdSchema(spec),
        admissions.getOrDefault(spec.kind().plural(), KindAdmission.NONE), new CrdTable(spec),
        spec.storageVersionHash(), spec.kind().equals(Spiderpool.IPPOOL) ? PoolFinalizer::releaseWhenUnused
            : OwnFinalizers.NONE)).toList();
  }

  /** Structural-schema operations of a CRD. */
  private record CrdSchema(KindSpec spec) implements KindSchema {
    @Override
    public List<String> unknownFields(ObjectNode obj) {
      return schema().unknownFields(obj);
    }

    @Override
    public void prune(ObjectNode obj) {
      schema().prune(obj);
    }

    @Override
    public void applyDefaults(ObjectNode obj) {
      schema().applyDefaults(obj);
    }

    @Override
    public List<FieldError> validate(ObjectNode obj) {
      return schema().validate(obj);
    }

    @Override
    public List<FieldError> validateMetadata(ObjectNode metadata) {
      return ObjectMetaValidation.validate(metadata, spec.kind().namespaced());
    }

    @Override
    public boolean isAtomicMap(List<String> path) {
      com.fasterxml.jackson.databind.JsonNode node = schema().json();
      for (String key : path) {
        node = node.path("properties").path(key);
        if (node.isMissingNode()) {
          return false;
        }
      }
      return "atomic".equals(node.path("x-kubernetes-map-type").asText());
    }

    private StructuralSchema schema() {
      return spec.schema();
    }
  }

  /** additionalPrinterColumns of a CRD. */
  private static final class CrdTable implements KindTable {
    private final TableConverter converter;

    CrdTable(KindSpec spec) {
      this.converter = new TableConverter(spec);
    }

    @Override
    public ObjectNode table(String apiVersion, List<ObjectNode> objects, ObjectNode listMeta, String includeObject,
                            boolean withHeaders) {
      ListMeta meta = new ListMeta(listMeta.path("resourceVersion").asText(null),
          listMeta.hasNonNull("continue") ? listMeta.get("continue").asText() : null,
          listMeta.hasNonNull("remainingItemCount") ? listMeta.get("remainingItemCount").asLong() : null);
      return converter.list(objects, meta, new TableConverter.Options(apiVersion,
          TableConverter.IncludeObject.parse(includeObject), !withHeaders));
    }
  }
}
