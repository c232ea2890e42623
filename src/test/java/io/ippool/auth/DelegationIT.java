package io.ippool.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.utils.ResponseProvider;
import io.ippool.tls.Pem;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TokenReview, SubjectAccessReview and the extension-apiserver-authentication ConfigMap against fabric8's mock
 * Kubernetes server: what we send, how answers map to users and decisions, and how long they are cached.
 */
class DelegationIT {
  private static final String TOKEN = "secret-token-value";

  private KubernetesMockServer server;
  private KubernetesClient client;
  private Vertx vertx;
  private final AtomicLong nanos = new AtomicLong();
  private volatile Function<TokenReview, Object> tokenAnswer;
  private volatile Function<SubjectAccessReview, Object> sarAnswer;
  private volatile TokenReview lastTokenReview;
  private volatile SubjectAccessReview lastSar;
  private final AtomicLong tokenCalls = new AtomicLong();
  private final AtomicLong sarCalls = new AtomicLong();

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(false);
    server.init();
    server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(new Answer(req -> {
      tokenCalls.incrementAndGet();
      lastTokenReview = Serialization.unmarshal(req.getUtf8Body(), TokenReview.class);
      return tokenAnswer.apply(lastTokenReview);
    })).always();
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReply(new Answer(req -> {
      sarCalls.incrementAndGet();
      lastSar = Serialization.unmarshal(req.getUtf8Body(), SubjectAccessReview.class);
      return sarAnswer.apply(lastSar);
    })).always();
    try (KubernetesClient base = server.createClient()) {
      client = new KubernetesClientBuilder().withConfig(DelegationClients.tune(base.getConfiguration())).build();
    }
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.destroy();
    await(vertx.close());
  }

  // --- TokenReview ---

  private TokenReviewAuthenticator tokens(List<String> audiences) {
    return new TokenReviewAuthenticator(vertx, client, audiences, Duration.ofSeconds(10), Duration.ofSeconds(5),
        nanos::get);
  }

  private static AuthRequest bearer(String value) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    if (value != null) {
      h.add("Authorization", value);
    }
    return new AuthRequest(List.of(), h);
  }

  private static TokenReview authenticated(TokenReview in) {
    in.setStatus(new TokenReviewStatusBuilder().withAuthenticated(true).withAudiences(in.getSpec().getAudiences())
        .withNewUser().withUsername("system:serviceaccount:ns:sa").withUid("uid-7")
        .withGroups("system:serviceaccounts", "system:serviceaccounts:ns")
        .withExtra(Map.of("authentication.kubernetes.io/pod-name", List.of("pod-1"))).endUser().build());
    return in;
  }

  @Test
  void token_validIsAUserAndCachedTenSeconds() throws Exception {
    tokenAnswer = DelegationIT::authenticated;
    TokenReviewAuthenticator auth = tokens(List.of());
    UserInfo u = await(auth.authenticate(bearer("Bearer " + TOKEN)));
    assertEquals(TOKEN, lastTokenReview.getSpec().getToken());
    assertEquals("system:serviceaccount:ns:sa", u.name());
    assertEquals("uid-7", u.uid());
    assertEquals(List.of("system:serviceaccounts", "system:serviceaccounts:ns", "system:authenticated"), u.groups());
    assertEquals(Map.of("authentication.kubernetes.io/pod-name", List.of("pod-1")), u.extra());

    nanos.addAndGet(Duration.ofSeconds(9).toNanos());
    assertEquals(u, await(auth.authenticate(bearer("bearer " + TOKEN))));
    assertEquals(1, tokenCalls.get());
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    await(auth.authenticate(bearer("Bearer " + TOKEN)));
    assertEquals(2, tokenCalls.get());
  }

  @Test
  void token_rejectedFailsWithoutTheTokenAndIsCachedFiveSeconds() throws Exception {
    tokenAnswer = in -> {
      in.setStatus(new TokenReviewStatusBuilder().withAuthenticated(false).withError("token expired").build());
      return in;
    };
    TokenReviewAuthenticator auth = tokens(List.of());
    Throwable e = failure(auth.authenticate(bearer("Bearer " + TOKEN)));
    assertInstanceOf(AuthenticationException.class, e);
    assertEquals("invalid bearer token: token expired", e.getMessage());
    assertFalse(e.getMessage().contains(TOKEN));
    nanos.addAndGet(Duration.ofSeconds(4).toNanos());
    failure(auth.authenticate(bearer("Bearer " + TOKEN)));
    assertEquals(1, tokenCalls.get());
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    failure(auth.authenticate(bearer("Bearer " + TOKEN)));
    assertEquals(2, tokenCalls.get());
  }

  @Test
  void token_apiErrorsAreNotCached() throws Exception {
    tokenAnswer = in -> {
      return SERVER_ERROR;
    };
    TokenReviewAuthenticator auth = tokens(List.of());
    failure(auth.authenticate(bearer("Bearer " + TOKEN)));
    tokenAnswer = DelegationIT::authenticated;
    assertEquals("system:serviceaccount:ns:sa", await(auth.authenticate(bearer("Bearer " + TOKEN))).name());
    assertEquals(1 + 1 + DelegationClients.RETRIES, tokenCalls.get(), "two quick retries, then the error");
  }

  @Test
  void token_absentOrOtherSchemeIsNotATokenRequest() throws Exception {
    tokenAnswer = DelegationIT::authenticated;
    TokenReviewAuthenticator auth = tokens(List.of());
    assertNull(await(auth.authenticate(bearer(null))));
    assertNull(await(auth.authenticate(bearer("Basic YWxpY2U6eA=="))));
    assertNull(await(auth.authenticate(bearer("Bearer "))));
    assertEquals(0, tokenCalls.get());
  }

  @Test
  void token_audiencesAreSentAndRequired() throws Exception {
    tokenAnswer = DelegationIT::authenticated;
    assertEquals("system:serviceaccount:ns:sa",
        await(tokens(List.of("ippool")).authenticate(bearer("Bearer " + TOKEN))).name());
    assertEquals(List.of("ippool"), lastTokenReview.getSpec().getAudiences());
    tokenAnswer = in -> {
      authenticated(in).getStatus().setAudiences(List.of("other"));
      return in;
    };
    assertInstanceOf(AuthenticationException.class, failure(tokens(List.of("ippool")).authenticate(bearer("Bearer x"))));
  }

  @Test
  void chain_badTokenIs401NotAnonymous() throws Exception {
    tokenAnswer = in -> {
      in.setStatus(new TokenReviewStatusBuilder().withAuthenticated(false).build());
      return in;
    };
    AuthenticatorChain chain = new AuthenticatorChain(List.of(new RequestHeaderAuthenticator(
        RequestHeaderConfig.disabled()), new ClientCertificateAuthenticator(), tokens(List.of())), true);
    assertInstanceOf(AuthenticationException.class, failure(chain.authenticate(bearer("Bearer " + TOKEN))));
    assertEquals(UserInfo.ANONYMOUS, await(chain.authenticate(bearer(null))));
  }

  // --- SubjectAccessReview ---

  private SubjectAccessReviewAuthorizer sar() {
    return new SubjectAccessReviewAuthorizer(vertx, client, SubjectAccessReviewAuthorizer.DEFAULT_ALWAYS_ALLOW_GROUPS,
        SubjectAccessReviewAuthorizer.DEFAULT_ALWAYS_ALLOW_PATHS, Duration.ofSeconds(10), Duration.ofSeconds(10),
        nanos::get);
  }

  private static SubjectAccessReview answer(SubjectAccessReview in, SubjectAccessReviewStatus status) {
    in.setStatus(status);
    return in;
  }

  private static final UserInfo ALICE = new UserInfo("alice", List.of("devs", "system:authenticated"),
      Map.of("scopes", List.of("net")), "uid-a");

  private static Authorizer.Attributes resource(UserInfo u, String verb, String ns, String name) {
    return new Authorizer.Attributes(u, verb, true, "spiderpool.spidernet.io", "v2beta1", ns, "spiderippools",
        "status", name, "/apis/spiderpool.spidernet.io/v2beta1/spiderippools/" + name + "/status");
  }

  @Test
  void sar_resourceAttributesAndUserAreSent_allowedIsCached() throws Exception {
    sarAnswer = in -> answer(in, new SubjectAccessReviewStatusBuilder().withAllowed(true)
        .withReason("RBAC: allowed by ClusterRoleBinding").build());
    SubjectAccessReviewAuthorizer authz = sar();
    Authorizer.Decision d = await(authz.authorize(resource(ALICE, "update", "", "pool-a")));
    assertTrue(d.allowed());
    var spec = lastSar.getSpec();
    assertEquals("alice", spec.getUser());
    assertEquals("uid-a", spec.getUid());
    assertEquals(List.of("devs", "system:authenticated"), spec.getGroups());
    assertEquals(Map.of("scopes", List.of("net")), spec.getExtra());
    var ra = spec.getResourceAttributes();
    assertEquals(List.of("spiderpool.spidernet.io", "v2beta1", "spiderippools", "status", "", "pool-a", "update"),
        List.of(ra.getGroup(), ra.getVersion(), ra.getResource(), ra.getSubresource(), ra.getNamespace(),
            ra.getName(), ra.getVerb()));
    assertNull(spec.getNonResourceAttributes());

    nanos.addAndGet(Duration.ofSeconds(9).toNanos());
    assertTrue(await(authz.authorize(resource(ALICE, "update", "", "pool-a"))).allowed());
    assertEquals(1, sarCalls.get());
    await(authz.authorize(resource(ALICE, "update", "", "pool-b")));
    assertEquals(2, sarCalls.get(), "another name is another question");
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    await(authz.authorize(resource(ALICE, "update", "", "pool-a")));
    assertEquals(3, sarCalls.get());
  }

  @Test
  void sar_deniedAndNoOpinionBothDenyWithReason_andDeniedIsCached() throws Exception {
    sarAnswer = in -> answer(in, new SubjectAccessReviewStatusBuilder().withAllowed(false).withDenied(true)
        .withReason("policy says no").build());
    SubjectAccessReviewAuthorizer authz = sar();
    Authorizer.Attributes a = resource(ALICE, "delete", "ns-1", "x");
    assertEquals(new Authorizer.Decision(false, "policy says no"), await(authz.authorize(a)));
    assertEquals("ns-1", lastSar.getSpec().getResourceAttributes().getNamespace());
    nanos.addAndGet(Duration.ofSeconds(9).toNanos());
    assertFalse(await(authz.authorize(a)).allowed());
    assertEquals(1, sarCalls.get());

    sarAnswer = in -> answer(in, new SubjectAccessReviewStatusBuilder().withAllowed(false).build());
    assertEquals(new Authorizer.Decision(false, ""), await(authz.authorize(resource(ALICE, "get", "ns-1", "y"))));
  }

  @Test
  void sar_nonResourceRequestsSendPathAndVerb() throws Exception {
    sarAnswer = in -> answer(in, new SubjectAccessReviewStatusBuilder().withAllowed(true).build());
    UserInfo aggregator = new UserInfo("system:kube-aggregator", List.of("system:authenticated"), Map.of());
    assertTrue(await(sar().authorize(new Authorizer.Attributes(aggregator, "get", false, "", "", "", "", "", "",
        "/apis/spiderpool.spidernet.io/v2beta1"))).allowed());
    assertNull(lastSar.getSpec().getResourceAttributes());
    assertEquals("/apis/spiderpool.spidernet.io/v2beta1", lastSar.getSpec().getNonResourceAttributes().getPath());
    assertEquals("get", lastSar.getSpec().getNonResourceAttributes().getVerb());
    assertNull(lastSar.getSpec().getUid());
  }

  @Test
  void sar_mastersAndHealthPathsSkipTheReview() throws Exception {
    sarAnswer = in -> answer(in, new SubjectAccessReviewStatusBuilder().withAllowed(false).build());
    UserInfo admin = new UserInfo("ippool-admin", List.of("system:masters", "system:authenticated"), Map.of());
    assertTrue(await(sar().authorize(resource(admin, "delete", "", "pool-a"))).allowed());
    assertTrue(await(sar().authorize(new Authorizer.Attributes(UserInfo.ANONYMOUS, "get", false, "", "", "", "", "",
        "", "/livez"))).allowed());
    assertEquals(0, sarCalls.get());
  }

  @Test
  void sar_apiErrorsFailAndAreNotCached() throws Exception {
    sarAnswer = in -> {
      return SERVER_ERROR;
    };
    SubjectAccessReviewAuthorizer authz = sar();
    failure(authz.authorize(resource(ALICE, "get", "", "a")));
    sarAnswer = in -> answer(in, new SubjectAccessReviewStatusBuilder().withAllowed(true).build());
    assertTrue(await(authz.authorize(resource(ALICE, "get", "", "a"))).allowed());
    assertEquals(1 + DelegationClients.RETRIES + 1, sarCalls.get());
  }

  // --- ConfigMap ---

  @Test
  void configMap_isReadAndParsed() throws Exception {
    TestPki pki = new TestPki();
    server.expect().get().withPath("/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication")
        .andReturn(200, new ConfigMapBuilder().withNewMetadata().withNamespace("kube-system")
            .withName("extension-apiserver-authentication").endMetadata()
            .addToData("client-ca-file", Pem.encode(pki.clientCa.certificate()))
            .addToData("requestheader-client-ca-file", Pem.encode(pki.frontProxyCa.certificate()))
            .addToData("requestheader-allowed-names", "[\"front-proxy-client\",\"aggregator\"]")
            .addToData("requestheader-username-headers", "[\"X-Remote-User\"]")
            .addToData("requestheader-group-headers", "[\"X-Remote-Group\"]")
            .addToData("requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]")
            .build()).once();
    RequestHeaderConfig c = await(RequestHeaderConfig.fromConfigMap(vertx, client));
    assertTrue(c.enabled());
    assertEquals(List.of(pki.frontProxyCa.certificate()), c.requestHeaderCa());
    assertEquals(List.of(pki.clientCa.certificate()), c.clientCa());
    assertEquals(List.of("front-proxy-client", "aggregator"), c.allowedNames());
    assertEquals(List.of("X-Remote-User"), c.usernameHeaders());
    assertEquals(List.of(), c.uidHeaders());
    assertEquals(List.of("X-Remote-Group"), c.groupHeaders());
    assertEquals(List.of("X-Remote-Extra-"), c.extraHeaderPrefixes());
  }

  @Test
  void configMap_missingIsAClearError() throws Exception {
    Throwable e = failure(RequestHeaderConfig.fromConfigMap(vertx, client));
    assertTrue(e.getMessage().contains("kube-system/extension-apiserver-authentication not found"), e.getMessage());
  }

  /** Returned by an answer function to make the mock apiserver fail the request. */
  private static final Object SERVER_ERROR = new Object();

  /** Replies 201 with the answer, or 500 with a Status for SERVER_ERROR; the answer is computed once. */
  private static final class Answer implements ResponseProvider<Object> {
    private final Function<RecordedRequest, Object> answer;
    private final Map<RecordedRequest, Object> answers = new java.util.concurrent.ConcurrentHashMap<>();
    private Headers headers = Headers.builder().build();

    Answer(Function<RecordedRequest, Object> answer) {
      this.answer = answer;
    }

    private Object of(RecordedRequest r) {
      return answers.computeIfAbsent(r, answer);
    }

    @Override
    public int getStatusCode(RecordedRequest r) {
      return of(r) == SERVER_ERROR ? 500 : 201;
    }

    @Override
    public Object getBody(RecordedRequest r) {
      Object o = of(r);
      return o == SERVER_ERROR ? new StatusBuilder().withStatus("Failure").withCode(500).withReason("InternalError")
          .withMessage("boom").build() : o;
    }

    @Override
    public Headers getHeaders() {
      return headers;
    }

    @Override
    public void setHeaders(Headers headers) {
      this.headers = headers;
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> f) throws Exception {
    try {
      await(f);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }
}
