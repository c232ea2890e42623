package io.ippool.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;

/** PEM encoding and decoding of certificates and private keys (PKCS#8 written; PKCS#1/SEC1 read too). */
public final class Pem {
  private Pem() {
  }

  public static String encode(X509Certificate cert) {
    return write(cert);
  }

  public static String encode(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null).generate());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An EC key as SEC1 ("EC PRIVATE KEY") with its curve and public point, as OpenSSL and Go write it; other
   * keys as PKCS#8. Clients that guess the key algorithm from the PEM header (fabric8 assumes RSA for
   * "PRIVATE KEY") need this form in kubeconfigs. The JDK's own SEC1 encoding omits the curve, which Go's
   * parser then rejects, so the structure is built here from the certificate's public key.
   */
  public static String encodeSec1(PrivateKey key, X509Certificate cert) {
    if (!(key instanceof java.security.interfaces.ECPrivateKey ec)) {
      return encode(key);
    }
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
      SubjectPublicKeyInfo pub = SubjectPublicKeyInfo.getInstance(cert.getPublicKey().getEncoded());
      var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(ec.getParams().getOrder().bitLength(), ec.getS(),
          pub.getPublicKeyData(), info.getPrivateKeyAlgorithm().getParameters());
      return write(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static List<X509Certificate> readCertificates(String pem) throws IOException {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof X509CertificateHolder h) {
          out.add(new JcaX509CertificateConverter().getCertificate(h));
        }
      }
    } catch (java.security.cert.CertificateException e) {
      throw new IOException(e);
    }
    return out;
  }

  public static PrivateKey readPrivateKey(String pem) throws IOException {
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o = p.readObject();
      JcaPEMKeyConverter c = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair kp) {
        return c.getKeyPair(kp).getPrivate();
      }
      if (o instanceof PrivateKeyInfo info) {
        return c.getPrivateKey(info);
      }
      throw new IOException("no private key in PEM");
    }
  }

  public static void writeFile(Path path, String content, boolean secret) throws IOException {
    Files.createDirectories(path.toAbsolutePath().getParent());
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    if (secret) {
      Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
    Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static String write(Object o) {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return sw.toString();
  }
}
