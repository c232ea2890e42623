package io.ippool.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ippool.testsupport.ApiClient;
import io.ippool.testsupport.MockCluster;
import io.ippool.testsupport.TestServer;
import io.ippool.tls.CertificateAuthority;
import io.ippool.tls.Pem;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster's admission webhooks for our kinds: a fake webhook server (HTTPS, its CA given as caBundle) is
 * registered in a mock kube-apiserver as a MutatingWebhookConfiguration (adds a label) and a
 * ValidatingWebhookConfiguration (refuses pools labelled deny=yes); the server, delegating to that cluster,
 * must call them as kube-apiserver would.
 */
class WebhookAdmissionIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String POOLS = "/apis/spiderpool.spidernet.io/v2beta1/spiderippools";
  private static final List<JsonNode> reviews = new CopyOnWriteArrayList<>();
  private static MockCluster kube;
  private static KubernetesClient client;
  private static TestServer server;
  private static Vertx vertx;
  private static HttpServer webhook;
  private static String caBundle;
  private static ApiClient admin;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("webhooks");
    CertificateAuthority ca = CertificateAuthority.create("webhook-ca", Duration.ofDays(1));
    caBundle = Base64.getEncoder().encodeToString(Pem.encode(ca.certificate()).getBytes(StandardCharsets.UTF_8));
    vertx = Vertx.vertx();
    webhook = startWebhook(ca.issueServer("webhook", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1)));

    kube = MockCluster.authorizing(sar -> true);
    client = kube.client();
    kube.publishFrontProxy();
    String url = "https://127.0.0.1:" + webhook.actualPort();
    client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(
        new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("spiderpool-mutate").endMetadata()
            .addNewWebhook().withName("label.example.io").withAdmissionReviewVersions("v1")
            .withSideEffects("None").withFailurePolicy("Fail").withRules(poolRule())
            .withNewClientConfig().withUrl(url + "/mutate").withCaBundle(caBundle).endClientConfig()
            .endWebhook().build()).create();
    client.admissionRegistration().v1().validatingWebhookConfigurations().resource(
        new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName("spiderpool-validate").endMetadata()
            .addNewWebhook().withName("deny.example.io").withAdmissionReviewVersions("v1")
            .withSideEffects("None").withRules(poolRule())
            .withNewClientConfig().withUrl(url + "/validate").withCaBundle(caBundle).endClientConfig()
            .endWebhook().build()).create();
    server = kube.startDelegatingServer(dir);
    admin = ApiClient.admin(server);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (webhook != null) {
      webhook.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close();
    }
    if (kube != null) {
      kube.close();
    }
  }

  private static RuleWithOperations poolRule() {
    return new RuleWithOperationsBuilder().withOperations("CREATE", "UPDATE")
        .withApiGroups("spiderpool.spidernet.io").withApiVersions("v2beta1").withResources("spiderippools")
        .withScope("Cluster").build();
  }

  /** /mutate adds the label mutated=yes; /validate refuses objects labelled deny=yes with a 403 status. */
  private static HttpServer startWebhook(CertificateAuthority.IssuedCertificate cert) throws Exception {
    HttpServer s = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setHost("127.0.0.1").setPort(0)
        .setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(Pem.encode(cert.certificate())))
            .addKeyValue(Buffer.buffer(Pem.encode(cert.key())))));
    s.requestHandler(req -> req.body().onSuccess(body -> {
      try {
        JsonNode review = MAPPER.readTree(body.getBytes());
        reviews.add(review);
        JsonNode request = review.path("request");
        ObjectNode out = MAPPER.createObjectNode().put("apiVersion", "admission.k8s.io/v1")
            .put("kind", "AdmissionReview");
        ObjectNode response = out.putObject("response").put("uid", request.path("uid").asText());
        JsonNode labels = request.path("object").path("metadata").path("labels");
        if (req.path().equals("/mutate")) {
          ArrayNode patch = MAPPER.createArrayNode();
          if (labels.isObject()) {
            patch.addObject().put("op", "add").put("path", "/metadata/labels/mutated").put("value", "yes");
          } else {
            patch.addObject().put("op", "add").put("path", "/metadata/labels").putObject("value").put("mutated", "yes");
          }
          response.put("allowed", true).put("patchType", "JSONPatch")
              .put("patch", Base64.getEncoder().encodeToString(MAPPER.writeValueAsBytes(patch)));
          response.putArray("warnings").add("labelled by the test webhook");
        } else if ("yes".equals(labels.path("deny").asText())) {
          response.put("allowed", false).putObject("status").put("code", 403).put("reason", "Forbidden")
              .put("message", "pools labelled deny=yes are refused");
        } else {
          response.put("allowed", true);
        }
        req.response().putHeader("Content-Type", "application/json").end(out.toString());
      } catch (Exception e) {
        req.response().setStatusCode(500).end();
      }
    }));
    return s.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String pool(String name, String labels, int octet) {
    return "{\"apiVersion\":\"spiderpool.spidernet.io/v2beta1\",\"kind\":\"SpiderIPPool\",\"metadata\":{\"name\":\""
        + name + "\",\"labels\":{" + labels + "}},\"spec\":{\"subnet\":\"10.60." + octet + ".0/24\",\"ips\":[\"10.60."
        + octet + ".10\"]}}";
  }

  @Test
  void mutatingWebhookPatchesTheCreatedObject() throws Exception {
    var r = admin.post(POOLS, "application/json", pool("mutated", "\"a\":\"b\"", 1));
    assertEquals(201, r.code(), r.toString());
    assertEquals("yes", r.json().path("metadata").path("labels").path("mutated").asText(), r.toString());
    assertEquals("yes", admin.get(POOLS + "/mutated").json().path("metadata").path("labels").path("mutated")
        .asText());
    assertTrue(r.headers().allValues("Warning").stream().anyMatch(w -> w.contains("labelled by the test webhook")),
        r.headers().toString());
    JsonNode review = reviews.stream().filter(x -> "mutated".equals(x.path("request").path("name").asText()))
        .findFirst().orElseThrow().path("request");
    assertEquals("CREATE", review.path("operation").asText());
    assertEquals("spiderippools", review.path("resource").path("resource").asText());
    assertEquals("SpiderIPPool", review.path("kind").path("kind").asText());
    assertEquals("CreateOptions", review.path("options").path("kind").asText());
    assertTrue(review.path("userInfo").path("groups").toString().contains("system:masters"), review.toString());
  }

  @Test
  void validatingWebhookDenialBecomesKubesStatus() throws Exception {
    var r = admin.post(POOLS, "application/json", pool("refused", "\"deny\":\"yes\"", 2));
    assertEquals(403, r.code(), r.toString());
    JsonNode status = r.json();
    assertEquals("Status", status.path("kind").asText());
    assertEquals("Forbidden", status.path("reason").asText());
    assertEquals("admission webhook \"deny.example.io\" denied the request: pools labelled deny=yes are refused",
        status.path("message").asText());
    assertEquals(404, admin.get(POOLS + "/refused").code());
  }

  @Test
  void failurePolicyDecidesWhenTheWebhookIsDown() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    for (String policy : List.of("Ignore", "Fail")) {
      client.admissionRegistration().v1().validatingWebhookConfigurations().resource(
          new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName("down-" + policy.toLowerCase())
              .endMetadata().addNewWebhook().withName("down-" + policy.toLowerCase() + ".example.io")
              .withAdmissionReviewVersions("v1").withSideEffects("None").withFailurePolicy(policy)
              .withTimeoutSeconds(2).withRules(poolRule())
              .withNewObjectSelector().addToMatchLabels("down", policy.toLowerCase()).endObjectSelector()
              .withNewClientConfig().withUrl("https://127.0.0.1:" + closedPort + "/validate").withCaBundle(caBundle)
              .endClientConfig().endWebhook().build()).create();
    }
    // The informer delivers the new configurations asynchronously: retry until the Fail one takes effect.
    ApiClient.Response refused = null;
    for (int i = 0; i < 50; i++) {
      refused = admin.post(POOLS, "application/json", pool("down-fail", "\"down\":\"fail\"", 3));
      if (refused.code() != 201) {
        break;
      }
      admin.delete(POOLS + "/down-fail", null);
      Thread.sleep(200);
    }
    assertEquals(500, refused.code(), refused.toString());
    assertEquals("InternalError", refused.json().path("reason").asText());
    assertTrue(refused.json().path("message").asText().startsWith(
        "Internal error occurred: failed calling webhook \"down-fail.example.io\": failed to call webhook: Post "
            + "\"https://127.0.0.1:" + closedPort + "/validate\""), refused.toString());
    var ignored = admin.post(POOLS, "application/json", pool("down-ignore", "\"down\":\"ignore\"", 4));
    assertEquals(201, ignored.code(), ignored.toString());
  }

  @Test
  void dryRunIsRefusedForWebhooksWithSideEffects() throws Exception {
    client.admissionRegistration().v1().validatingWebhookConfigurations().resource(
        new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName("side-effects").endMetadata()
            .addNewWebhook().withName("side-effects.example.io").withAdmissionReviewVersions("v1")
            .withSideEffects("Some").withRules(poolRule())
            .withNewObjectSelector().addToMatchLabels("effects", "yes").endObjectSelector()
            .withNewClientConfig().withUrl("https://127.0.0.1:" + webhook.actualPort() + "/validate")
            .withCaBundle(caBundle).endClientConfig().endWebhook().build()).create();
    ApiClient.Response r = null;
    for (int i = 0; i < 50; i++) {
      r = admin.post(POOLS + "?dryRun=All", "application/json", pool("effects", "\"effects\":\"yes\"", 5));
      if (r.code() != 201) {
        break;
      }
      Thread.sleep(200);
    }
    assertEquals(400, r.code(), r.toString());
    assertEquals("admission webhook \"side-effects.example.io\" does not support dry run",
        r.json().path("message").asText());
  }

  @Test
  void namespaceSelectorUsesTheNamespacesLabels() throws Exception {
    for (String ns : List.of("guarded", "open")) {
      client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
          .withName(ns).addToLabels("webhooks", ns.equals("guarded") ? "on" : "off").endMetadata().build()).create();
    }
    client.admissionRegistration().v1().validatingWebhookConfigurations().resource(
        new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName("namespaced").endMetadata()
            .addNewWebhook().withName("namespaced.example.io").withAdmissionReviewVersions("v1")
            .withSideEffects("None").withRules(new RuleWithOperationsBuilder().withOperations("*")
                .withApiGroups("spiderpool.spidernet.io").withApiVersions("*").withResources("spidermultusconfigs")
                .withScope("Namespaced").build())
            .withNewNamespaceSelector().addToMatchLabels("webhooks", "on").endNamespaceSelector()
            .withNewClientConfig().withUrl("https://127.0.0.1:" + webhook.actualPort() + "/validate")
            .withCaBundle(caBundle).endClientConfig().endWebhook().build()).create();
    String configs = "/apis/spiderpool.spidernet.io/v2beta1/namespaces/%s/spidermultusconfigs";
    String body = "{\"apiVersion\":\"spiderpool.spidernet.io/v2beta1\",\"kind\":\"SpiderMultusConfig\","
        + "\"metadata\":{\"name\":\"%s\",\"labels\":{\"deny\":\"yes\"}},\"spec\":{}}";
    ApiClient.Response guarded = null;
    for (int i = 0; i < 50; i++) {
      guarded = admin.post(configs.formatted("guarded"), "application/json", body.formatted("c" + i));
      if (guarded.code() != 201) {
        break;
      }
      Thread.sleep(200);
    }
    assertEquals(403, guarded.code(), guarded.toString());
    assertEquals("admission webhook \"namespaced.example.io\" denied the request: pools labelled deny=yes are refused",
        guarded.json().path("message").asText());
    var open = admin.post(configs.formatted("open"), "application/json", body.formatted("c"));
    assertEquals(201, open.code(), open.toString());
  }

  @Test
  void aServingCertificateFromAnotherCaIsACallFailure() throws Exception {
    CertificateAuthority other = CertificateAuthority.create("other-ca", Duration.ofDays(1));
    String otherBundle = Base64.getEncoder().encodeToString(Pem.encode(other.certificate())
        .getBytes(StandardCharsets.UTF_8));
    client.admissionRegistration().v1().validatingWebhookConfigurations().resource(
        new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName("untrusted").endMetadata()
            .addNewWebhook().withName("untrusted.example.io").withAdmissionReviewVersions("v1")
            .withSideEffects("None").withRules(poolRule())
            .withNewObjectSelector().addToMatchLabels("trust", "no").endObjectSelector()
            .withNewClientConfig().withUrl("https://127.0.0.1:" + webhook.actualPort() + "/validate")
            .withCaBundle(otherBundle).endClientConfig().endWebhook().build()).create();
    ApiClient.Response r = null;
    for (int i = 0; i < 50; i++) {
      r = admin.post(POOLS, "application/json", pool("untrusted", "\"trust\":\"no\"", 6));
      if (r.code() != 201) {
        break;
      }
      admin.delete(POOLS + "/untrusted", null);
      Thread.sleep(200);
    }
    assertEquals(500, r.code(), r.toString());
    assertTrue(r.json().path("message").asText().contains("failed calling webhook \"untrusted.example.io\""),
        r.toString());
  }
}
