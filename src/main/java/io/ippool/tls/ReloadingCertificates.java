package io.ippool.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a running HTTPS server on the current serving certificate: cert-manager or an admin renews the Secret,
 * kubelet swaps the mounted files, and new connections get the new certificate without a restart (existing
 * ones keep theirs). The files are polled rather than watched: kubelet replaces them through a symlink swap,
 * which inotify on the file itself does not see. Comparing content instead of mtimes also catches renewals
 * within one second and ignores touches.
 *
 * <p>The client-CA trust can be swapped the same way ({@link #updateTrust}) when the
 * extension-apiserver-authentication ConfigMap changes.
 */
public final class ReloadingCertificates {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingCertificates.class);

  private final Vertx vertx;
  private final HttpServer server;
  private final Path certFile;
  private final Path keyFile;
  private final Duration interval;
  private volatile ServerSSLOptions base;
  private volatile Buffer loadedCert;
  private volatile Buffer loadedKey;
  private volatile long timer = -1;
  /** One check at a time: a slow check must not race the next tick into loading the same files twice. */
  private Future<Boolean> inFlight = Future.succeededFuture(false);

  /**
   * @param base the SSL options the server was started with (protocols, client auth, ALPN, trust); only the
   *     key and certificate are replaced. Use {@code httpServerOptions.getSslOptions()}.
   */
  public ReloadingCertificates(Vertx vertx, HttpServer server, ServerSSLOptions base, Path certFile, Path keyFile,
                               Duration interval) {
    this.vertx = vertx;
    this.server = server;
    this.base = new ServerSSLOptions(base);
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.interval = interval;
  }

  /** Remembers the files as they are now (what the server started with) and polls from then on. */
  public Future<Void> start() {
    return read().map(pair -> {
      loadedCert = pair[0];
      loadedKey = pair[1];
      timer = vertx.setPeriodic(interval.toMillis(), id -> reloadIfChanged()
          .onFailure(e -> LOG.warn("serving certificate not reloaded, keeping the current one: {}", e.getMessage())));
      return null;
    });
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** @return true when the files changed and the server now uses them */
  public synchronized Future<Boolean> reloadIfChanged() {
    if (!inFlight.isComplete()) {
      return inFlight;
    }
    inFlight = check();
    return inFlight;
  }

  private Future<Boolean> check() {
    return read().compose(pair -> {
      if (pair[0].equals(loadedCert) && pair[1].equals(loadedKey)) {
        return Future.succeededFuture(false);
      }
      // A renewal may be caught between writing the certificate and the key: check they parse and belong
      // together before handing them to the server, else try again on the next tick.
      try {
        checkPair(pair[0], pair[1]);
      } catch (IOException | RuntimeException e) {
        return Future.failedFuture(new IOException("new certificate/key not usable yet: " + e.getMessage()));
      }
      return apply(pair[0], pair[1]).map(updated -> {
        loadedCert = pair[0];
        loadedKey = pair[1];
        LOG.info("serving certificate reloaded from {}", certFile);
        return true;
      });
    });
  }

  /** Replaces the trusted client CAs (front-proxy and client CA bundles) for new connections. */
  public Future<Boolean> updateTrust(TrustOptions trust) {
    base = new ServerSSLOptions(base).setTrustOptions(trust);
    if (loadedCert == null) {
      return Future.succeededFuture(false);
    }
    return apply(loadedCert, loadedKey);
  }

  private Future<Boolean> apply(Buffer cert, Buffer key) {
    ServerSSLOptions next = new ServerSSLOptions(base)
        .setKeyCertOptions(new PemKeyCertOptions().setCertValue(cert).setKeyValue(key));
    return server.updateSSLOptions(next, true);
  }

  private Future<Buffer[]> read() {
    Future<Buffer> cert = vertx.fileSystem().readFile(certFile.toString());
    Future<Buffer> key = vertx.fileSystem().readFile(keyFile.toString());
    return Future.all(cert, key).map(cf -> new Buffer[] {cert.result(), key.result()});
  }

  private static void checkPair(Buffer cert, Buffer key) throws IOException {
    var certs = Pem.readCertificates(cert.toString());
    if (certs.isEmpty()) {
      throw new IOException("no certificate in " + "PEM");
    }
    var privateKey = Pem.readPrivateKey(key.toString());
    var publicKey = certs.get(0).getPublicKey();
    if (!publicKey.getAlgorithm().equals(privateKey.getAlgorithm())) {
      throw new IOException("key algorithm " + privateKey.getAlgorithm() + " does not match the certificate's "
          + publicKey.getAlgorithm());
    }
    try {
      var sig = java.security.Signature.getInstance(publicKey.getAlgorithm().equals("EC") ? "SHA256withECDSA"
          : "SHA256with" + publicKey.getAlgorithm());
      byte[] probe = "ippool".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      sig.initSign(privateKey);
      sig.update(probe);
      byte[] signature = sig.sign();
      sig.initVerify(publicKey);
      sig.update(probe);
      if (!sig.verify(signature)) {
        throw new IOException("private key does not belong to the certificate");
      }
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot check the key pair: " + e.getMessage(), e);
    }
  }
}
