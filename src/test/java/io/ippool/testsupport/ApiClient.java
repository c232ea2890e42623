package io.ippool.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ippool.tls.Pem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A raw HTTPS client for wire-level tests, authenticating with a client certificate of the test PKI. */
public final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final String base;

  public record Response(int code, String body, java.net.http.HttpHeaders headers) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (Exception e) {
        throw new IllegalStateException("not JSON: " + body, e);
      }
    }

    @Override
    public String toString() {
      return code + " " + body;
    }
  }

  private SSLContext ssl;

  private ApiClient(HttpClient http, String base) {
    this.http = http;
    this.base = base;
  }

  /** The TLS context of this client (its certificate, the server's CA), for raw-socket tests. */
  public SSLContext ssl() {
    return ssl;
  }

  /** As the generated admin (system:masters). */
  public static ApiClient admin(TestServer server) {
    Path pki = server.dataDir().resolve("pki");
    return withCertificate(server, pki.resolve("admin.crt"), pki.resolve("admin.key"));
  }

  /** Without a client certificate (anonymous). */
  public static ApiClient anonymous(TestServer server) {
    return withCertificate(server, null, null);
  }

  public static ApiClient withCertificate(TestServer server, Path cert, Path key) {
    try {
      Path pki = server.dataDir().resolve("pki");
      X509Certificate ca = Pem.readCertificates(Files.readString(pki.resolve("ca.crt"))).get(0);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = null;
      if (cert != null) {
        List<X509Certificate> chain = Pem.readCertificates(Files.readString(cert));
        PrivateKey pk = Pem.readPrivateKey(Files.readString(key));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("client", pk, new char[0], chain.toArray(new X509Certificate[0]));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
      }
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      HttpClient c = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build();
      ApiClient client = new ApiClient(c, server.url());
      client.ssl = ssl;
      return client;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public Response get(String path) {
    return send("GET", path, null, null, null);
  }

  public Response get(String path, String accept) {
    return send("GET", path, null, null, accept);
  }

  public Response post(String path, String contentType, String body) {
    return send("POST", path, contentType, body, null);
  }

  public Response put(String path, String contentType, String body) {
    return send("PUT", path, contentType, body, null);
  }

  public Response patch(String path, String contentType, String body) {
    return send("PATCH", path, contentType, body, null);
  }

  public Response delete(String path, String body) {
    return send("DELETE", path, body == null ? null : "application/json", body, null);
  }

  public Response send(String method, String path, String contentType, String body, String accept) {
    return send(method, path, contentType, body, accept, java.util.Map.of());
  }

  /** With extra request headers (repeated values as a list). */
  public Response send(String method, String path, String contentType, String body, String accept,
                       java.util.Map<String, List<String>> headers) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      if (contentType != null) {
        b.header("Content-Type", contentType);
      }
      if (accept != null) {
        b.header("Accept", accept);
      }
      headers.forEach((k, vs) -> vs.forEach(v -> b.header(k, v)));
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r.headers());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    }
  }

  /** Opens a streaming GET (watch); lines arrive on the returned stream. */
  public java.util.stream.Stream<String> stream(String path, String accept) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
      if (accept != null) {
        b.header("Accept", accept);
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofLines()).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Opens a streaming GET whose body the caller reads (or does not) at its own pace. */
  public java.io.InputStream streamRaw(String path) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
      return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
