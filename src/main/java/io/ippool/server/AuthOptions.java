package io.ippool.server;

import io.ippool.auth.RequestHeaderConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Authentication and authorization flags, named as kube-apiserver's delegating options so that operators
 * recognise them. A picocli mixin: add {@code @Mixin AuthOptions auth;} to ServeCommand. Every flag also
 * reads an IPPOOL_* environment variable.
 *
 * <p>Standalone (default): x509 client certificates, optionally a front proxy configured by the
 * --requestheader-* flags, static authorization. With --delegate-auth (in a cluster): the front-proxy CA,
 * allowed names and client CA come from kube-system/extension-apiserver-authentication unless
 * --requestheader-client-ca-file is given, bearer tokens are checked by TokenReview and every request is
 * authorized by SubjectAccessReview.
 */
public final class AuthOptions {

  @Option(names = "--delegate-auth", arity = "0..1", defaultValue = "${env:IPPOOL_DELEGATE_AUTH:-false}",
      fallbackValue = "true",
      description = "Delegate to kube-apiserver: read kube-system/extension-apiserver-authentication, "
          + "authenticate bearer tokens with TokenReview, authorize with SubjectAccessReview. "
          + "Env IPPOOL_DELEGATE_AUTH. Default: ${DEFAULT-VALUE}")
  public boolean delegateAuth;

  @Option(names = "--kubeconfig", paramLabel = "FILE", defaultValue = "${env:IPPOOL_KUBECONFIG}",
      description = "kubeconfig for the delegation calls; empty uses the pod's service account (or $KUBECONFIG "
          + "outside a cluster). Env IPPOOL_KUBECONFIG.")
  public Path kubeconfig;

  @Option(names = "--requestheader-client-ca-file", paramLabel = "FILE",
      defaultValue = "${env:IPPOOL_REQUESTHEADER_CLIENT_CA_FILE}",
      description = "CA bundle that signs the front proxy's client certificate (kube-apiserver's "
          + "--requestheader-client-ca-file). Only clients with a certificate from it may assert users in "
          + "request headers. Overrides the ConfigMap. Env IPPOOL_REQUESTHEADER_CLIENT_CA_FILE.")
  public Path requestHeaderClientCaFile;

  @Option(names = "--requestheader-allowed-names", paramLabel = "CN", split = ",",
      defaultValue = "${env:IPPOOL_REQUESTHEADER_ALLOWED_NAMES}",
      description = "Common names the front-proxy certificate may have (e.g. front-proxy-client); empty allows "
          + "any certificate from --requestheader-client-ca-file. Env IPPOOL_REQUESTHEADER_ALLOWED_NAMES.")
  public List<String> requestHeaderAllowedNames = new ArrayList<>();

  @Option(names = "--requestheader-username-headers", paramLabel = "HEADER", split = ",",
      defaultValue = "${env:IPPOOL_REQUESTHEADER_USERNAME_HEADERS:-X-Remote-User}",
      description = "Headers carrying the user name, first non-empty wins. Env IPPOOL_REQUESTHEADER_USERNAME_HEADERS. Default: ${DEFAULT-VALUE}")
  public List<String> requestHeaderUsernameHeaders = new ArrayList<>();

  @Option(names = "--requestheader-uid-headers", paramLabel = "HEADER", split = ",",
      defaultValue = "${env:IPPOOL_REQUESTHEADER_UID_HEADERS}",
      description = "Headers carrying the user's uid (e.g. X-Remote-Uid); empty ignores uids. Env IPPOOL_REQUESTHEADER_UID_HEADERS.")
  public List<String> requestHeaderUidHeaders = new ArrayList<>();

  @Option(names = "--requestheader-group-headers", paramLabel = "HEADER", split = ",",
      defaultValue = "${env:IPPOOL_REQUESTHEADER_GROUP_HEADERS:-X-Remote-Group}",
      description = "Headers carrying groups, every value of each. Env IPPOOL_REQUESTHEADER_GROUP_HEADERS. Default: ${DEFAULT-VALUE}")
  public List<String> requestHeaderGroupHeaders = new ArrayList<>();

  @Option(names = "--requestheader-extra-headers-prefix", paramLabel = "PREFIX", split = ",",
      defaultValue = "${env:IPPOOL_REQUESTHEADER_EXTRA_HEADERS_PREFIX:-X-Remote-Extra-}",
      description = "Header prefixes for extra user attributes. Env IPPOOL_REQUESTHEADER_EXTRA_HEADERS_PREFIX. Default: ${DEFAULT-VALUE}")
  public List<String> requestHeaderExtraHeadersPrefix = new ArrayList<>();

  @Option(names = "--authentication-token-webhook-cache-ttl", paramLabel = "DURATION",
      defaultValue = "${env:IPPOOL_AUTHENTICATION_TOKEN_WEBHOOK_CACHE_TTL:-10s}", converter = DurationConverter.class,
      description = "How long an accepted token's TokenReview is reused. Env IPPOOL_AUTHENTICATION_TOKEN_WEBHOOK_CACHE_TTL. Default: ${DEFAULT-VALUE}")
  public Duration tokenCacheTtl;

  @Option(names = "--authentication-token-webhook-cache-unauthorized-ttl", paramLabel = "DURATION",
      defaultValue = "${env:IPPOOL_AUTHENTICATION_TOKEN_WEBHOOK_CACHE_UNAUTHORIZED_TTL:-5s}",
      converter = DurationConverter.class,
      description = "How long a rejected token's TokenReview is reused. Env IPPOOL_AUTHENTICATION_TOKEN_WEBHOOK_CACHE_UNAUTHORIZED_TTL. Default: ${DEFAULT-VALUE}")
  public Duration tokenCacheUnauthorizedTtl;

  @Option(names = "--authentication-audiences", paramLabel = "AUD", split = ",",
      defaultValue = "${env:IPPOOL_AUTHENTICATION_AUDIENCES}",
      description = "Audiences bearer tokens must be issued for; empty accepts the apiserver's default. Env IPPOOL_AUTHENTICATION_AUDIENCES.")
  public List<String> authenticationAudiences = new ArrayList<>();

  @Option(names = "--authorization-webhook-cache-authorized-ttl", paramLabel = "DURATION",
      defaultValue = "${env:IPPOOL_AUTHORIZATION_WEBHOOK_CACHE_AUTHORIZED_TTL:-10s}",
      converter = DurationConverter.class,
      description = "How long an allowing SubjectAccessReview is reused. Env IPPOOL_AUTHORIZATION_WEBHOOK_CACHE_AUTHORIZED_TTL. Default: ${DEFAULT-VALUE}")
  public Duration authorizedTtl;

  @Option(names = "--authorization-webhook-cache-unauthorized-ttl", paramLabel = "DURATION",
      defaultValue = "${env:IPPOOL_AUTHORIZATION_WEBHOOK_CACHE_UNAUTHORIZED_TTL:-10s}",
      converter = DurationConverter.class,
      description = "How long a denying SubjectAccessReview is reused. Env IPPOOL_AUTHORIZATION_WEBHOOK_CACHE_UNAUTHORIZED_TTL. Default: ${DEFAULT-VALUE}")
  public Duration unauthorizedTtl;

  @Option(names = "--authorization-always-allow-groups", paramLabel = "GROUP", split = ",",
      defaultValue = "${env:IPPOOL_AUTHORIZATION_ALWAYS_ALLOW_GROUPS:-system:masters}",
      description = "Groups allowed everything without asking kube-apiserver. Env IPPOOL_AUTHORIZATION_ALWAYS_ALLOW_GROUPS. Default: ${DEFAULT-VALUE}")
  public List<String> alwaysAllowGroups = new ArrayList<>();

  @Option(names = "--anonymous-auth", arity = "0..1", defaultValue = "${env:IPPOOL_ANONYMOUS_AUTH:-true}",
      fallbackValue = "true",
      description = "Treat requests without credentials as system:anonymous (they reach only the health "
          + "endpoints unless authorized); false rejects them outright. Env IPPOOL_ANONYMOUS_AUTH. Default: ${DEFAULT-VALUE}")
  public boolean anonymousAuth;

  @Option(names = "--ipam-agent-users", paramLabel = "USER", split = ",",
      defaultValue = "${env:IPPOOL_IPAM_AGENT_USERS:-system:serviceaccount:ippool-system:ippool-agent}",
      description = "Identities of node agents: they may use the IPAM API only, and only for pods on the node they "
          + "name (checked against their token's node binding when it has one). Env IPPOOL_IPAM_AGENT_USERS. "
          + "Default: ${DEFAULT-VALUE}")
  public List<String> ipamAgentUsers = new ArrayList<>();

  @Option(names = "--tls-reload-interval", paramLabel = "DURATION",
      defaultValue = "${env:IPPOOL_TLS_RELOAD_INTERVAL:-10s}", converter = DurationConverter.class,
      description = "How often the serving certificate files are checked for renewal. Env IPPOOL_TLS_RELOAD_INTERVAL. Default: ${DEFAULT-VALUE}")
  public Duration tlsReloadInterval;

  /** The options as if no flag were given (environment variables still apply), for embedding and tests. */
  public static AuthOptions defaults() {
    AuthOptions o = new AuthOptions();
    new picocli.CommandLine(o).parseArgs();
    return o;
  }

  /**
   * The front-proxy settings from flags, or null when --requestheader-client-ca-file is not given (then, with
   * --delegate-auth, they come from the ConfigMap).
   */
  public RequestHeaderConfig requestHeaderFromFlags() throws IOException {
    if (requestHeaderClientCaFile == null) {
      return null;
    }
    return RequestHeaderConfig.fromFiles(requestHeaderClientCaFile, requestHeaderAllowedNames,
        requestHeaderUsernameHeaders, requestHeaderUidHeaders, requestHeaderGroupHeaders,
        requestHeaderExtraHeadersPrefix, null);
  }
}
