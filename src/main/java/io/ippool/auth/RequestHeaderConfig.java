package io.ippool.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ippool.api.Json;
import io.ippool.tls.Pem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * Who may assert identities through request headers and how: the front-proxy CA, the CNs allowed to use it,
 * the header names, and (because kube-apiserver publishes it in the same place) the ordinary client CA.
 * {@code requestHeaderCa} empty disables front-proxy authentication; {@code clientCa} empty leaves x509
 * authentication to the caller's other CA sources.
 */
public record RequestHeaderConfig(
    List<X509Certificate> requestHeaderCa,
    List<String> allowedNames,
    List<String> usernameHeaders,
    List<String> uidHeaders,
    List<String> groupHeaders,
    List<String> extraHeaderPrefixes,
    List<X509Certificate> clientCa) {

  public static final String NAMESPACE = "kube-system";
  public static final String NAME = "extension-apiserver-authentication";
  /** What kubeadm, kind and k3s configure, and what the aggregator's SetAuthProxyHeaders writes. */
  public static final List<String> DEFAULT_USERNAME_HEADERS = List.of("X-Remote-User");
  public static final List<String> DEFAULT_GROUP_HEADERS = List.of("X-Remote-Group");
  public static final List<String> DEFAULT_EXTRA_PREFIXES = List.of("X-Remote-Extra-");


  public RequestHeaderConfig {
    requestHeaderCa = List.copyOf(requestHeaderCa);
    allowedNames = List.copyOf(allowedNames);
    usernameHeaders = List.copyOf(usernameHeaders);
    uidHeaders = List.copyOf(uidHeaders);
    groupHeaders = List.copyOf(groupHeaders);
    extraHeaderPrefixes = List.copyOf(extraHeaderPrefixes);
    clientCa = List.copyOf(clientCa);
  }

  public static RequestHeaderConfig disabled() {
    return new RequestHeaderConfig(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
  }

  public boolean enabled() {
    return !requestHeaderCa.isEmpty();
  }

  /**
   * Parses the ConfigMap kube-apiserver publishes. CA values are PEM bundles; the other values are JSON
   * arrays of strings. Missing keys mean "not configured", as in k8s.io/apiserver's
   * DynamicRequestHeaderController.
   *
   * @throws IllegalArgumentException when a value is present but malformed
   */
  public static RequestHeaderConfig fromConfigMap(ConfigMap cm) {
    Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
    return new RequestHeaderConfig(
        certs(data, "requestheader-client-ca-file"),
        jsonList(data, "requestheader-allowed-names"),
        jsonList(data, "requestheader-username-headers"),
        jsonList(data, "requestheader-uid-headers"),
        jsonList(data, "requestheader-group-headers"),
        jsonList(data, "requestheader-extra-headers-prefix"),
        certs(data, "client-ca-file"));
  }

  /** Reads the ConfigMap; fabric8 blocks, so the call runs on a worker thread. */
  public static Future<RequestHeaderConfig> fromConfigMap(Vertx vertx, KubernetesClient client) {
    return vertx.executeBlocking(() -> {
      ConfigMap cm = client.configMaps().inNamespace(NAMESPACE).withName(NAME).get();
      if (cm == null) {
        throw new IllegalStateException("configmap " + NAMESPACE + "/" + NAME + " not found: is this a cluster "
            + "with the aggregation layer enabled (kube-apiserver --requestheader-client-ca-file)?");
      }
      return fromConfigMap(cm);
    }, false);
  }

  /**
   * From --requestheader-* and --client-ca-file flags (either file may be null). Empty header lists get the
   * X-Remote-* defaults, since the flags exist to use the front proxy.
   */
  public static RequestHeaderConfig fromFiles(Path requestHeaderCaFile, List<String> allowedNames,
                                              List<String> usernameHeaders, List<String> uidHeaders,
                                              List<String> groupHeaders, List<String> extraHeaderPrefixes,
                                              Path clientCaFile) throws IOException {
    return new RequestHeaderConfig(
        requestHeaderCaFile == null ? List.of() : Pem.readCertificates(Files.readString(requestHeaderCaFile)),
        allowedNames,
        usernameHeaders.isEmpty() ? DEFAULT_USERNAME_HEADERS : usernameHeaders,
        uidHeaders,
        groupHeaders.isEmpty() ? DEFAULT_GROUP_HEADERS : groupHeaders,
        extraHeaderPrefixes.isEmpty() ? DEFAULT_EXTRA_PREFIXES : extraHeaderPrefixes,
        clientCaFile == null ? List.of() : Pem.readCertificates(Files.readString(clientCaFile)));
  }

  private static List<X509Certificate> certs(Map<String, String> data, String key) {
    String pem = data.get(key);
    if (pem == null || pem.isBlank()) {
      return List.of();
    }
    try {
      List<X509Certificate> certs = Pem.readCertificates(pem);
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(key + ": no certificate in PEM data");
      }
      return certs;
    } catch (IOException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  private static List<String> jsonList(Map<String, String> data, String key) {
    String v = data.get(key);
    if (v == null || v.isBlank()) {
      return List.of();
    }
    try {
      List<String> list = Json.MAPPER.readValue(v, new TypeReference<List<String>>() { });
      return list.stream().filter(s -> s != null && !s.isEmpty()).toList();
    } catch (IOException e) {
      throw new IllegalArgumentException(key + ": not a JSON array of strings: " + e.getMessage(), e);
    }
  }
}
