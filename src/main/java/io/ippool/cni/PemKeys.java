package io.ippool.cni;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Private keys from PEM without Bouncy Castle. The JDK reads only PKCS#8, so the two traditional
 * OpenSSL forms a kubeconfig may carry ("RSA PRIVATE KEY" = PKCS#1, "EC PRIVATE KEY" = SEC1) are
 * wrapped into a PKCS#8 envelope first: SEQUENCE { 0, AlgorithmIdentifier, OCTET STRING key }.
 */
final class PemKeys {
  private static final byte[] RSA_ALG = { // SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }
      0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
  private static final byte[] EC_OID = { // OID 1.2.840.10045.2.1 id-ecPublicKey
      0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

  private PemKeys() {}

  static PrivateKey privateKey(String pem) throws IOException, GeneralSecurityException {
    String type = null;
    StringBuilder b64 = new StringBuilder();
    for (String line : pem.split("\r?\n")) {
      if (line.startsWith("-----BEGIN ")) {
        type = line.substring(11, line.indexOf("-----", 11));
        b64.setLength(0);
      } else if (line.startsWith("-----END ")) {
        if (type != null && type.endsWith("PRIVATE KEY")) {
          break;
        }
        type = null; // e.g. "EC PARAMETERS" before the key
      } else if (type != null && !line.contains(":")) {
        b64.append(line.trim());
      }
    }
    if (type == null) {
      throw new IOException("no PEM private key found");
    }
    byte[] der = Base64.getDecoder().decode(b64.toString());
    switch (type) {
      case "PRIVATE KEY":
        return pkcs8(der);
      case "RSA PRIVATE KEY":
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(wrap(RSA_ALG, der)));
      case "EC PRIVATE KEY":
        return KeyFactory.getInstance("EC").generatePrivate(
            new PKCS8EncodedKeySpec(wrap(tlv(0x30, concat(EC_OID, sec1CurveOid(der))), der)));
      default:
        throw new IOException("unsupported private key type " + type);
    }
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  private static byte[] wrap(byte[] algId, byte[] key) {
    byte[] version = {0x02, 0x01, 0x00};
    return tlv(0x30, concat(version, algId, tlv(0x04, key)));
  }

  /**
   * SEC1 ECPrivateKey ::= SEQUENCE { version, OCTET STRING, [0] OID curve OPTIONAL, [1] ... }.
   * The curve OID is mandatory for us: without it the key's curve is unknown.
   */
  private static byte[] sec1CurveOid(byte[] der) throws IOException {
    int[] p = {0};
    expect(der, p, 0x30);
    length(der, p);
    while (p[0] < der.length) {
      int tag = der[p[0]++] & 0xff;
      int len = length(der, p);
      if (tag == 0xa0) {
        byte[] oid = new byte[len];
        System.arraycopy(der, p[0], oid, 0, len);
        return oid;
      }
      p[0] += len;
    }
    throw new IOException("EC private key does not name its curve");
  }

  private static void expect(byte[] der, int[] p, int tag) throws IOException {
    if (p[0] >= der.length || (der[p[0]++] & 0xff) != tag) {
      throw new IOException("malformed DER private key");
    }
  }

  private static int length(byte[] der, int[] p) throws IOException {
    int first = der[p[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int n = first & 0x7f;
    if (n > 3) {
      throw new IOException("malformed DER length");
    }
    int len = 0;
    for (int k = 0; k < n; k++) {
      len = (len << 8) | (der[p[0]++] & 0xff);
    }
    return len;
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(tag);
    int n = value.length;
    if (n < 0x80) {
      o.write(n);
    } else if (n < 0x100) {
      o.write(0x81);
      o.write(n);
    } else if (n < 0x10000) {
      o.write(0x82);
      o.write(n >> 8);
      o.write(n);
    } else {
      o.write(0x83);
      o.write(n >> 16);
      o.write(n >> 8);
      o.write(n);
    }
    o.writeBytes(value);
    return o.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }
}
