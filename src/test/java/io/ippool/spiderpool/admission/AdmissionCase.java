package io.ippool.spiderpool.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.ippool.errors.ApiException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One admission scenario built from YAML flow snippets: the object under test, optional stored neighbours, the
 * stored old object for updates, and the expected rejection. By default it runs the whole pipeline (mutate,
 * then validate), as the API server does.
 */
final class AdmissionCase {
  static final YAMLMapper YAML = new YAMLMapper();

  final String description;
  String kind = "SpiderIPPool";
  String name = "p";
  String spec = "{}";
  String extraMeta = "";
  String oldSpec;
  String oldExtraMeta = "";
  final List<String> existing = new ArrayList<>();
  final Map<String, String> allocated = new LinkedHashMap<>();
  AdmissionSettings settings = AdmissionSettings.defaults();
  boolean mutate = true;

  int code;
  String field;
  String cause;
  String message;

  private AdmissionCase(String description) {
    this.description = description;
  }

  static AdmissionCase pool(String description, String spec) {
    AdmissionCase c = new AdmissionCase(description);
    c.spec = spec;
    return c;
  }

  static AdmissionCase rip(String description, String spec) {
    AdmissionCase c = pool(description, spec);
    c.kind = "SpiderReservedIP";
    return c;
  }

  /** A stored pool, as "name|spec-flow" (its labels and ipVersion come from running mutation on it). */
  AdmissionCase existing(String nameAndSpec) {
    existing.add(nameAndSpec);
    return this;
  }

  AdmissionCase updateFrom(String oldSpec) {
    this.oldSpec = oldSpec;
    return this;
  }

  AdmissionCase meta(String extraMetaFlow) {
    this.extraMeta = extraMetaFlow;
    return this;
  }

  AdmissionCase oldMeta(String extraMetaFlow) {
    this.oldExtraMeta = extraMetaFlow;
    return this;
  }

  AdmissionCase allocated(String ip, String pod) {
    allocated.put(ip, pod);
    return this;
  }

  AdmissionCase settings(boolean v4, boolean v6) {
    settings = new AdmissionSettings(v4, v6);
    return this;
  }

  /** Validation alone, for messages the full pipeline cannot reach because mutation merges first. */
  AdmissionCase validationOnly() {
    mutate = false;
    return this;
  }

  /** 422: {@code detail} is the text after {@code is invalid: }. */
  AdmissionCase invalid(String field, String cause, String detail) {
    this.code = 422;
    this.field = field;
    this.cause = cause;
    this.message = kind + ".spiderpool.spidernet.io \"" + name + "\" is invalid: " + detail;
    return this;
  }

  AdmissionCase status(int code, String fullMessage) {
    this.code = code;
    this.message = fullMessage;
    return this;
  }

  static ObjectNode object(String kind, String name, String extraMeta, String spec) {
    String meta = "{name: " + name + (extraMeta.isEmpty() ? "" : ", " + extraMeta) + "}";
    String doc = "{apiVersion: spiderpool.spidernet.io/v2beta1, kind: " + kind + ", metadata: " + meta
        + ", spec: " + spec + "}";
    try {
      return (ObjectNode) YAML.readTree(doc);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(doc, e);
    }
  }

  ObjectNode newObject() {
    ObjectNode o = object(kind, name, extraMeta, spec);
    if (mutate) {
      mutate(o);
    }
    return o;
  }

  private void mutate(ObjectNode o) {
    if (kind.equals("SpiderIPPool")) {
      new IPPoolAdmission(settings).mutate(o);
    } else {
      new ReservedIPAdmission(settings).mutate(o);
    }
  }

  /** Runs the scenario; returns nothing when admitted. */
  void run() {
    ObjectNode obj = newObject();
    if (kind.equals("SpiderIPPool")) {
      IPPoolAdmission adm = new IPPoolAdmission(settings);
      List<ObjectNode> stored = new ArrayList<>();
      for (String e : existing) {
        String[] nameSpec = e.split("\\|", 2);
        ObjectNode p = object("SpiderIPPool", nameSpec[0], "", nameSpec[1]);
        adm.mutate(p);
        stored.add(p);
      }
      if (oldSpec == null) {
        adm.validateCreate(obj, stored);
      } else {
        ObjectNode old = object(kind, name, oldExtraMeta, oldSpec);
        adm.mutate(old);
        stored.add(old);
        adm.validateUpdate(old, obj, stored, allocated);
      }
    } else {
      ReservedIPAdmission adm = new ReservedIPAdmission(settings);
      if (oldSpec == null) {
        adm.validateCreate(obj);
      } else {
        ObjectNode old = object(kind, name, oldExtraMeta, oldSpec);
        adm.mutate(old);
        adm.validateUpdate(old, obj);
      }
    }
  }

  void assertRejected() {
    ApiException e = assertThrows(ApiException.class, this::run, description);
    assertEquals(code, e.code(), description);
    assertEquals(message, e.getMessage(), description);
    if (field != null) {
      assertEquals(field, e.details().causes().get(0).field(), description);
      assertEquals(cause, e.details().causes().get(0).type().causeType, description);
      assertEquals(kind, e.details().kind());
      assertEquals("spiderpool.spidernet.io", e.details().group());
    } else {
      assertEquals(List.of(), e.details().causes(), description);
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
