package io.ippool.http.resource;

import io.ippool.api.FieldError;
import io.ippool.errors.ApiException;
import io.ippool.http.RequestUser;
import io.ippool.registry.WriteOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/** Query options of writes, validated as k8s.io/apimachinery validates Create/Update/PatchOptions. */
final class Options {
  private Options() {
  }

  /** @param optionsKind CreateOptions, UpdateOptions or PatchOptions (named in 422 errors) */
  static WriteOptions write(RoutingContext ctx, String optionsKind, boolean applyPatch) {
    List<FieldError> errs = new ArrayList<>();
    List<String> dryRun = ctx.queryParam("dryRun");
    for (String d : dryRun) {
      if (!d.equals("All")) {
        errs.add(FieldError.notSupported("dryRun", d, List.of("All")));
      }
    }
    String manager = ctx.request().getParam("fieldManager");
    if (manager != null && manager.length() > 128) {
      errs.add(new FieldError(FieldError.Type.TOO_LONG, "fieldManager", null, "may not be more than 128 bytes"));
    }
    if (applyPatch && (manager == null || manager.isEmpty())) {
      errs.add(FieldError.required("fieldManager", "is required for apply patch"));
    }
    String force = ctx.request().getParam("force");
    if (force != null && !applyPatch && optionsKind.equals("PatchOptions")) {
      errs.add(FieldError.forbidden("force", "may not be specified for non-apply patch"));
    }
    String validation = ctx.request().getParam("fieldValidation");
    if (validation == null || validation.isEmpty()) {
      validation = "Warn";
    } else if (!List.of("Ignore", "Warn", "Strict").contains(validation)) {
      errs.add(FieldError.notSupported("fieldValidation", validation, List.of("Ignore", "Warn", "Strict")));
    }
    if (!errs.isEmpty()) {
      throw ApiException.invalid("meta.k8s.io", optionsKind, "", errs);
    }
    return new WriteOptions(!dryRun.isEmpty(), manager, validation, ctx.request().getHeader("User-Agent"))
        .withUser(RequestUser.of(ctx));
  }
}
