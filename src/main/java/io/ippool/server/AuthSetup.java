package io.ippool.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ippool.auth.Authenticator;
import io.ippool.auth.AuthenticatorChain;
import io.ippool.auth.Authorizer;
import io.ippool.auth.CertificateVerifier;
import io.ippool.auth.ClientCertificateAuthenticator;
import io.ippool.auth.DelegationClients;
import io.ippool.auth.RequestHeaderAuthenticator;
import io.ippool.auth.RequestHeaderConfig;
import io.ippool.auth.StaticAuthorizer;
import io.ippool.auth.SubjectAccessReviewAuthorizer;
import io.ippool.auth.TokenReviewAuthenticator;
import io.ippool.tls.GeneratedPki;
import io.ippool.tls.Pem;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call the server. Standalone: client certificates of our CA (and --client-ca-file), admin group
 * allowed. Delegated (--delegate-auth, in a cluster): the aggregator's front-proxy headers, client certificates
 * and bearer tokens (TokenReview), authorised by SubjectAccessReview.
 */
final class AuthSetup {
  private static final Logger LOG = LoggerFactory.getLogger(AuthSetup.class);

  final Authenticator authenticator;
  final Authorizer authorizer;
  /** Every CA a client certificate may be signed by; the TLS layer requests certificates from all of them. */
  final List<X509Certificate> trustedClientCas;
  final KubernetesClient kube;

  private AuthSetup(Authenticator authenticator, Authorizer authorizer, List<X509Certificate> trustedClientCas,
                    KubernetesClient kube) {
    this.authenticator = authenticator;
    this.authorizer = authorizer;
    this.trustedClientCas = trustedClientCas;
    this.kube = kube;
  }

  static AuthSetup create(Vertx vertx, AuthOptions auth, GeneratedPki pki, Path clientCaFile) throws Exception {
    List<X509Certificate> clientCas = new ArrayList<>(Pem.readCertificates(Files.readString(pki.caCert)));
    if (clientCaFile != null) {
      clientCas.addAll(Pem.readCertificates(Files.readString(clientCaFile)));
    }
    RequestHeaderConfig requestHeader = auth.requestHeaderFromFlags();
    KubernetesClient kube = null;
    if (auth.delegateAuth) {
      kube = DelegationClients.create(auth.kubeconfig);
      RequestHeaderConfig fromCluster = ApiServer.await(RequestHeaderConfig.fromConfigMap(vertx, kube));
      if (requestHeader == null) {
        requestHeader = fromCluster;
      }
      clientCas.addAll(fromCluster.clientCa());
      LOG.info("delegating authentication and authorization to kube-apiserver");
    }
    if (requestHeader == null) {
      requestHeader = RequestHeaderConfig.disabled();
    }
    List<Authenticator> chain = new ArrayList<>(List.of(new RequestHeaderAuthenticator(requestHeader),
        new ClientCertificateAuthenticator(new CertificateVerifier(clientCas))));
    Authorizer authorizer = new StaticAuthorizer(Set.of(GeneratedPki.ADMIN_GROUP));
    if (kube != null) {
      chain.add(new TokenReviewAuthenticator(vertx, kube, auth.authenticationAudiences, auth.tokenCacheTtl,
          auth.tokenCacheUnauthorizedTtl, System::nanoTime));
      authorizer = new SubjectAccessReviewAuthorizer(vertx, kube, Set.copyOf(auth.alwaysAllowGroups),
          SubjectAccessReviewAuthorizer.DEFAULT_ALWAYS_ALLOW_PATHS, auth.authorizedTtl, auth.unauthorizedTtl,
          System::nanoTime);
    }
    List<X509Certificate> trusted = new ArrayList<>(clientCas);
    trusted.addAll(requestHeader.requestHeaderCa());
    return new AuthSetup(new AuthenticatorChain(chain, auth.anonymousAuth), authorizer, trusted, kube);
  }
}
