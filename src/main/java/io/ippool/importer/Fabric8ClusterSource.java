package io.ippool.importer;

import io.ippool.spiderpool.Spiderpool;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.ippool.api.Json;
import io.ippool.api.ResourceKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the group's objects from kube-apiserver (the CRDs), in pages, with a kubeconfig. */
public final class Fabric8ClusterSource implements ClusterSource {
  /** Small enough that one page of large pools (allocatedIPs strings) stays a modest response. */
  static final long PAGE_SIZE = 250;

  private final KubernetesClient client;

  private Fabric8ClusterSource(KubernetesClient client) {
    this.client = client;
  }

  public static Fabric8ClusterSource fromKubeconfig(Path kubeconfig) throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    return new Fabric8ClusterSource(new KubernetesClientBuilder().withConfig(config).build());
  }

  @Override
  public List<ObjectNode> list(ResourceKind kind) {
    // A full definition rather than genericKubernetesResources(apiVersion, kind): that variant looks the
    // plural up through discovery, which answers from whatever serves the group — possibly already us.
    CustomResourceDefinitionContext ctx = new CustomResourceDefinitionContext.Builder()
        .withGroup(kind.group()).withVersion(kind.version()).withKind(kind.kind()).withPlural(kind.plural())
        .withScope(kind.namespaced() ? "Namespaced" : "Cluster").build();
    var op = client.genericKubernetesResources(ctx);
    List<ObjectNode> out = new ArrayList<>();
    String cont = null;
    do {
      var options = new ListOptionsBuilder().withLimit(PAGE_SIZE).withContinue(cont).build();
      GenericKubernetesResourceList page = kind.namespaced() ? op.inAnyNamespace().list(options) : op.list(options);
      for (GenericKubernetesResource r : page.getItems()) {
        // fabric8 serializes with its own Jackson; re-read the JSON as our Jackson tree.
        ObjectNode obj = Json.readObject(client.getKubernetesSerialization().asJson(r));
        obj.put("apiVersion", kind.apiVersion());
        obj.put("kind", kind.kind());
        out.add(obj);
      }
      cont = page.getMetadata() == null ? null : page.getMetadata().getContinue();
    } while (cont != null && !cont.isEmpty());
    return out;
  }

  @Override
  public void checkServedByCrds() {
    ResourceKind any = Spiderpool.IPPOOL;
    String name = any.version() + "." + any.group();
    CustomResourceDefinitionContext apiServices = new CustomResourceDefinitionContext.Builder()
        .withGroup("apiregistration.k8s.io").withVersion("v1").withKind("APIService").withPlural("apiservices")
        .withScope("Cluster").build();
    GenericKubernetesResource svc;
    try {
      svc = client.genericKubernetesResources(apiServices).withName(name).get();
    } catch (KubernetesClientException e) {
      return; // not allowed to read APIServices: the import proceeds and the lists will tell
    }
    Object spec = svc == null ? null : svc.getAdditionalProperties().get("spec");
    if (spec instanceof java.util.Map<?, ?> m && m.get("service") instanceof java.util.Map<?, ?> s) {
      // kube-apiserver's own (CRD) registration has no service; any other one proxies the group away.
      throw new IllegalStateException("APIService " + name + " routes the group to service " + s.get("namespace")
          + "/" + s.get("name") + ", not to Spiderpool's CRDs; import while kube-apiserver still serves them "
          + "(before replacing the APIService)");
    }
  }

  @Override
  public String describe() {
    return client.getMasterUrl().toString();
  }

  @Override
  public void close() {
    client.close();
  }
}
