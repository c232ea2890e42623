package io.ippool.registry;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.auth.UserInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What kube-apiserver's admission.Attributes carry beyond the objects: who writes, whether it is a dry run, the
 * subresource and the request's options object (CreateOptions, UpdateOptions, DeleteOptions). Admission plugins
 * that call out of the process (the cluster's webhooks) need them; the in-process checks do not.
 *
 * @param user null for writes the server makes itself (importer), which no cluster webhook sees
 * @param warnings collects the warnings admission returns, for the response's Warning headers
 */
public record AdmissionAttributes(UserInfo user, boolean dryRun, String subresource, ObjectNode options,
                                  List<String> warnings) {
  public AdmissionAttributes {
    subresource = subresource == null ? "" : subresource;
    warnings = warnings == null ? new CopyOnWriteArrayList<>() : warnings;
  }

  static AdmissionAttributes forWrite(KindAdmission.Operation op, WriteOptions opts, String subresource) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("kind", op == KindAdmission.Operation.CREATE ? "CreateOptions"
        : opts.applyFields() != null || opts.patch() ? "PatchOptions" : "UpdateOptions");
    o.put("apiVersion", "meta.k8s.io/v1");
    if (opts.dryRun()) {
      o.putArray("dryRun").add("All");
    }
    if (opts.fieldManager() != null && !opts.fieldManager().isEmpty()) {
      o.put("fieldManager", opts.fieldManager());
    }
    if (opts.fieldValidation() != null) {
      o.put("fieldValidation", opts.fieldValidation());
    }
    return new AdmissionAttributes(opts.user(), opts.dryRun(), subresource, o, opts.admissionWarnings());
  }

  static AdmissionAttributes forDelete(DeleteOptions opts) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("kind", "DeleteOptions");
    o.put("apiVersion", "meta.k8s.io/v1");
    if (opts.dryRun()) {
      o.putArray("dryRun").add("All");
    }
    if (opts.propagationPolicy() != null) {
      o.put("propagationPolicy", opts.propagationPolicy());
    }
    if (opts.orphanDependents() != null) {
      o.put("orphanDependents", opts.orphanDependents());
    }
    return new AdmissionAttributes(opts.user(), opts.dryRun(), "", o, null);
  }
}
