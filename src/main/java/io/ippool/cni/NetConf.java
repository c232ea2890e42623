package io.ippool.cni;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The network configuration read from stdin. Only {@code cniVersion}, {@code name},
 * {@code prevResult} and the {@code ipam} section matter to an IPAM plugin; the rest belongs to the
 * main plugin (bridge, macvlan, ...) and is ignored. Unknown {@code ipam} keys are ignored too, so
 * a Spiderpool netconf (log_level, log_file_*) works unchanged.
 */
final class NetConf {
  /** Spiderpool's socket path, served on every node by the ippool agent (or spiderpool-agent). */
  static final String DEFAULT_SOCKET = "/var/run/spidernet/spiderpool.sock";
  static final int DEFAULT_TIMEOUT_SECONDS = 30;

  final String cniVersion;
  final String name;
  final List<String> defaultIPv4IPPool;
  final List<String> defaultIPv6IPPool;
  final boolean cleanGateway;
  final boolean matchMasterSubnet;
  final String unixSocketPath;
  /** When set, talk HTTPS to the server with this kubeconfig's client credentials. */
  final String kubeconfig;
  /** Overrides the kubeconfig cluster's {@code server} URL. */
  final String server;
  final int timeoutSeconds;
  final String logFile;
  /** The previous plugin's result (conflist, on CHECK and DEL); null when absent. */
  final Map<String, Object> prevResult;

  private NetConf(Map<String, Object> root, Map<String, Object> ipam, String cniVersion) {
    this.cniVersion = cniVersion;
    this.name = Json.string(root.get("name"), "name");
    this.defaultIPv4IPPool = Json.strings(ipam.get("default_ipv4_ippool"), "ipam.default_ipv4_ippool");
    this.defaultIPv6IPPool = Json.strings(ipam.get("default_ipv6_ippool"), "ipam.default_ipv6_ippool");
    this.cleanGateway = Json.bool(ipam.get("clean_gateway"), "ipam.clean_gateway");
    this.matchMasterSubnet = Json.bool(ipam.get("match_master_subnet"), "ipam.match_master_subnet");
    String sock = Json.string(ipam.get("ipam_unix_socket_path"), "ipam.ipam_unix_socket_path");
    this.unixSocketPath = sock == null || sock.isEmpty() ? DEFAULT_SOCKET : sock;
    this.kubeconfig = emptyToNull(Json.string(ipam.get("kubeconfig"), "ipam.kubeconfig"));
    this.server = emptyToNull(Json.string(ipam.get("server"), "ipam.server"));
    this.timeoutSeconds = timeout(ipam.get("timeout_seconds"));
    this.logFile = emptyToNull(Json.string(ipam.get("log_file_path"), "ipam.log_file_path"));
    this.prevResult = Json.object(root.get("prevResult"), "prevResult");
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static int timeout(Object v) {
    if (v == null) {
      return DEFAULT_TIMEOUT_SECONDS;
    }
    if (!(v instanceof BigDecimal)) {
      throw new IllegalArgumentException("ipam.timeout_seconds must be a number");
    }
    BigDecimal d = (BigDecimal) v;
    if (d.signum() <= 0 || d.compareTo(BigDecimal.valueOf(3600)) > 0 || d.scale() > 0 && d.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException("ipam.timeout_seconds must be an integer in 1..3600");
    }
    return d.intValue();
  }

  /**
   * Best-effort version for error output: the netconf's if it is readable, else the latest, so an
   * error about an unreadable netconf is still well-formed.
   */
  static String versionForErrors(String stdin) {
    try {
      Object v = Json.object(Json.parse(stdin), "netconf").get("cniVersion");
      if (v instanceof String && CniVersions.supported((String) v)) {
        return (String) v;
      }
    } catch (RuntimeException ignored) {
      // fall through
    }
    return CniVersions.LATEST;
  }

  static NetConf parse(String stdin) throws CniException {
    Map<String, Object> root;
    try {
      root = Json.object(Json.parse(stdin), "netconf");
    } catch (IllegalArgumentException e) {
      throw new CniException(CniException.DECODE_FAILURE, "failed to parse network configuration: " + e.getMessage());
    }
    if (root == null) {
      throw new CniException(CniException.DECODE_FAILURE, "network configuration must be a JSON object");
    }
    Object v = root.get("cniVersion");
    if (!(v instanceof String) || ((String) v).isEmpty()) {
      throw new CniException(CniException.INVALID_NETCONF, "network configuration has no cniVersion");
    }
    String version = (String) v;
    if (!CniVersions.supported(version)) {
      throw new CniException(CniException.INCOMPATIBLE_VERSION,
          "unsupported specified CNI version " + version + ", the CNI versions supported by ippool-cni: "
              + CniVersions.SUPPORTED);
    }
    try {
      Map<String, Object> ipam = Json.object(root.get("ipam"), "ipam");
      if (ipam == null) {
        throw new IllegalArgumentException("ipam section is missing");
      }
      return new NetConf(root, ipam, version);
    } catch (IllegalArgumentException e) {
      throw new CniException(CniException.INVALID_NETCONF, "invalid network configuration: " + e.getMessage());
    }
  }
}
