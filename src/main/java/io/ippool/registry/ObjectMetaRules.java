package io.ippool.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.api.ResourceKind;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** What kube-apiserver's generic registry does to metadata on create and update of a custom resource. */
public final class ObjectMetaRules {
  private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private ObjectMetaRules() {
  }

  public static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** generateName[:58] + 5 random characters from kube's alphabet (no vowels, no confusable digits). */
  public static String generateName(String prefix) {
    String base = prefix.length() > 58 ? prefix.substring(0, 58) : prefix;
    StringBuilder b = new StringBuilder(base);
    for (int i = 0; i < 5; i++) {
      b.append(NAME_ALPHABET.charAt(RANDOM.nextInt(NAME_ALPHABET.length())));
    }
    return b.toString();
  }

  /** Wipes client-set system fields and sets the server-owned ones (rest.BeforeCreate + strategy). */
  public static void prepareForCreate(ResourceKind kind, ObjectNode obj) {
    ObjectNode meta = meta(obj);
    meta.remove(List.of("creationTimestamp", "uid", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink",
        "generation"));
    meta.put("uid", UUID.randomUUID().toString());
    meta.put("creationTimestamp", now());
    meta.put("generation", 1);
    if (kind.hasStatusSubresource()) {
      obj.remove("status");
    }
  }

  /**
   * Carries server-owned fields over from {@code old} and enforces immutability (rest.BeforeUpdate).
   * For the main resource of a kind with a status subresource the stored status wins; for the /status
   * subresource only status is taken from the request.
   */
  public static List<FieldError> prepareForUpdate(ResourceKind kind, ObjectNode old, ObjectNode next,
                                                  boolean statusSubresource) {
    List<FieldError> errs = new ArrayList<>();
    ObjectNode om = meta(old);
    ObjectNode nm = meta(next);
    if (statusSubresource) {
      ObjectNode merged = old.deepCopy();
      if (next.has("status")) {
        merged.set("status", next.get("status"));
      } else {
        merged.remove("status");
      }
      // Only managedFields may change with status; everything else stays as stored.
      if (nm.has("managedFields")) {
        meta(merged).set("managedFields", nm.get("managedFields"));
      }
      merged.set("metadata", meta(merged).put("resourceVersion", nm.path("resourceVersion").asText()));
      next.removeAll();
      next.setAll(merged);
      nm = meta(next);
    } else if (kind.hasStatusSubresource()) {
      if (old.has("status")) {
        next.set("status", old.get("status"));
      } else {
        next.remove("status");
      }
    }
    immutable(errs, om, nm, "name");
    immutable(errs, om, nm, "namespace");
    for (String f : List.of("uid", "creationTimestamp")) {
      if (!nm.hasNonNull(f) || nm.path(f).asText().isEmpty()) {
        copy(om, nm, f);
      } else {
        immutable(errs, om, nm, f);
      }
    }
    for (String f : List.of("deletionTimestamp", "deletionGracePeriodSeconds")) {
      copy(om, nm, f);
    }
    if (om.has("deletionTimestamp") && addsFinalizer(om, nm)) {
      errs.add(FieldError.forbidden("metadata.finalizers",
          "no new finalizers can be added if the object is being deleted, found new finalizers "
              + newFinalizers(om, nm)));
    }
    long gen = om.path("generation").asLong(0);
    nm.put("generation", gen);
    if (specChanged(old, next)) {
      nm.put("generation", gen + 1);
    }
    return errs;
  }

  /** Anything outside metadata (and outside status when status is its own subresource) changed. */
  private static boolean specChanged(ObjectNode old, ObjectNode next) {
    ObjectNode a = old.deepCopy();
    ObjectNode b = next.deepCopy();
    for (ObjectNode o : List.of(a, b)) {
      o.remove(List.of("metadata", "status", "apiVersion", "kind"));
    }
    return !a.equals(b);
  }

  private static boolean addsFinalizer(ObjectNode om, ObjectNode nm) {
    return !newFinalizers(om, nm).isEmpty();
  }

  private static List<String> newFinalizers(ObjectNode om, ObjectNode nm) {
    List<String> before = new ArrayList<>();
    om.path("finalizers").forEach(f -> before.add(f.asText()));
    List<String> added = new ArrayList<>();
    nm.path("finalizers").forEach(f -> {
      if (!before.contains(f.asText())) {
        added.add(f.asText());
      }
    });
    return added;
  }

  private static void immutable(List<FieldError> errs, ObjectNode om, ObjectNode nm, String f) {
    JsonNode a = om.get(f);
    JsonNode b = nm.get(f);
    String av = a == null ? "" : a.asText();
    String bv = b == null ? "" : b.asText();
    if (!av.equals(bv)) {
      errs.add(FieldError.invalid("metadata." + f, bv, "field is immutable"));
    }
  }

  private static void copy(ObjectNode from, ObjectNode to, String f) {
    if (from.has(f)) {
      to.set(f, from.get(f));
    } else {
      to.remove(f);
    }
  }

  public static ObjectNode meta(ObjectNode obj) {
    JsonNode m = obj.get("metadata");
    if (m instanceof ObjectNode o) {
      return o;
    }
    return obj.putObject("metadata");
  }
}
