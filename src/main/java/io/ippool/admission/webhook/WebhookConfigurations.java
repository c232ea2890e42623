package io.ippool.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.ippool.api.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The cluster's MutatingWebhookConfigurations and ValidatingWebhookConfigurations, kept current by informers
 * (kube-apiserver reads them the same way). Each webhook is handed out as JSON so one code path serves both
 * kinds, whose Java models share no type.
 */
public final class WebhookConfigurations implements AutoCloseable {

  /** One webhook of a configuration, as admissionregistration.k8s.io/v1 JSON. */
  public record Hook(String configuration, JsonNode webhook) {
    public String name() {
      return webhook.path("name").asText();
    }
  }

  /** Where the webhooks come from; tests and a cluster-less server may supply fixed lists. */
  public interface Source {
    List<Hook> mutating();

    List<Hook> validating();
  }

  private final SharedIndexInformer<MutatingWebhookConfiguration> mutating;
  private final SharedIndexInformer<ValidatingWebhookConfiguration> validating;

  private WebhookConfigurations(SharedIndexInformer<MutatingWebhookConfiguration> mutating,
                                SharedIndexInformer<ValidatingWebhookConfiguration> validating) {
    this.mutating = mutating;
    this.validating = validating;
  }

  /** Blocking: starts both informers and returns once each has listed. */
  public static WebhookConfigurations start(KubernetesClient kube) {
    var m = kube.admissionRegistration().v1().mutatingWebhookConfigurations().inform();
    var v = kube.admissionRegistration().v1().validatingWebhookConfigurations().inform();
    return new WebhookConfigurations(m, v);
  }

  public Source source() {
    return new Source() {
      @Override
      public List<Hook> mutating() {
        return hooks(mutating.getStore().list(), MutatingWebhookConfiguration::getWebhooks);
      }

      @Override
      public List<Hook> validating() {
        return hooks(validating.getStore().list(), ValidatingWebhookConfiguration::getWebhooks);
      }
    };
  }

  /**
   * kube-apiserver orders webhooks by configuration name, then by their order inside the configuration; mutating
   * webhooks run in that order, so it is part of the contract.
   */
  private static <C extends HasMetadata> List<Hook> hooks(List<C> configs, Function<C, List<?>> webhooks) {
    List<C> sorted = new ArrayList<>(configs);
    sorted.sort(Comparator.comparing(c -> c.getMetadata().getName()));
    List<Hook> out = new ArrayList<>();
    for (C c : sorted) {
      List<?> list = webhooks.apply(c);
      if (list == null) {
        continue;
      }
      for (Object w : list) {
        out.add(new Hook(c.getMetadata().getName(), Json.MAPPER.valueToTree(w)));
      }
    }
    return out;
  }

  @Override
  public void close() {
    mutating.close();
    validating.close();
  }
}
