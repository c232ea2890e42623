package io.ippool.cni;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One CNI invocation: environment + stdin in, result or error JSON on stdout, exit code out.
 * Kept free of {@code System.*} so tests can drive it in-process against a fake server.
 */
final class Plugin {
  /** Picks the transport for a netconf; tests substitute their own. */
  private final Function<NetConf, Transport> transports;

  Plugin() {
    this(null);
  }

  Plugin(Function<NetConf, Transport> transports) {
    this.transports = transports;
  }

  int run(Map<String, String> env, InputStream stdin, PrintStream out, PrintStream err) {
    String command = env.getOrDefault("CNI_COMMAND", "");
    if (command.equals("VERSION")) {
      // VERSION ignores stdin (libcni sends {"cniVersion": ...} but the answer never depends on it).
      out.print(CniVersions.versionInfo());
      out.flush();
      return 0;
    }
    String input = "";
    String errVersion = CniVersions.LATEST;
    NetConf conf = null;
    CniEnv cni = null;
    try {
      try {
        input = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CniException(CniException.IO_FAILURE, "failed to read network configuration from stdin: " + e.getMessage());
      }
      errVersion = NetConf.versionForErrors(input);
      cni = CniEnv.from(env);
      switch (command) {
        case "ADD":
          cni.require();
          conf = NetConf.parse(input);
          out.print(add(conf, cni));
          break;
        case "DEL":
          cni.require();
          conf = NetConf.parse(input);
          del(conf, cni, err);
          break;
        case "CHECK":
          cni.require();
          conf = NetConf.parse(input);
          check(conf);
          break;
        case "":
          throw new CniException(CniException.INVALID_ENV, "required env variables [CNI_COMMAND] missing");
        default:
          throw new CniException(CniException.INVALID_ENV, "unknown CNI_COMMAND: " + command);
      }
      out.flush();
      RunLog.write(conf, command, cni, "ok");
      return 0;
    } catch (CniException e) {
      out.print(e.toJson(errVersion));
      out.flush();
      RunLog.write(conf, command, cni, "error " + e.code + ": " + e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      // A bug, not a condition: say so, with the trace on stderr for the runtime's log.
      e.printStackTrace(err);
      out.print(new CniException(999, "internal error in ippool-cni: " + e).toJson(errVersion));
      out.flush();
      return 1;
    }
  }

  private String add(NetConf conf, CniEnv cni) throws CniException {
    IpamClient client = client(conf);
    client.healthy();
    Map<String, Object> args = identity(cni);
    args.put("defaultIPv4IPPool", conf.defaultIPv4IPPool);
    args.put("defaultIPv6IPPool", conf.defaultIPv6IPPool);
    args.put("cleanGateway", conf.cleanGateway);
    args.put("matchMasterSubnet", conf.matchMasterSubnet);
    return CniResult.build(client.allocate(args), cni.ifName, conf.cniVersion);
  }

  /**
   * Like Spiderpool: an unhealthy server fails DEL (the runtime retries, so the address is not
   * leaked), but a failing release is only reported on stderr, because DEL must succeed for a
   * container the server never saw (failed ADD) or already forgot (second DEL).
   */
  private void del(NetConf conf, CniEnv cni, PrintStream err) throws CniException {
    IpamClient client = client(conf);
    client.healthy();
    try {
      client.release(identity(cni));
    } catch (CniException e) {
      if (e.code == CniException.TRY_AGAIN_LATER) {
        throw e; // the server vanished between the two calls: nothing was released, retry
      }
      err.println("ippool-cni: release of " + cni.containerId + "/" + cni.ifName + " failed, ignored: " + e.getMessage());
      RunLog.write(conf, "DEL", cni, "release failed, ignored: " + e.getMessage());
    }
  }

  /**
   * CHECK (0.4.0+): the runtime's prevResult must be present and well formed, and the server must
   * be healthy. The agent API has no read-only lookup of a container's allocation, so whether the
   * server still holds these exact addresses is not verified (Spiderpool's CHECK does even less).
   */
  private void check(NetConf conf) throws CniException {
    if (!CniVersions.hasCheck(conf.cniVersion)) {
      throw new CniException(CniException.INCOMPATIBLE_VERSION, "config version does not allow CHECK");
    }
    if (conf.prevResult == null) {
      throw new CniException(CniException.INVALID_NETCONF, "CHECK requires prevResult in the network configuration");
    }
    try {
      List<Object> ips = Json.array(conf.prevResult.get("ips"), "prevResult.ips");
      if (ips == null || ips.isEmpty()) {
        throw new IllegalArgumentException("prevResult has no ips");
      }
      for (Object o : ips) {
        Map<String, Object> ip = Json.object(o, "prevResult.ips[]");
        String a = ip == null ? null : Json.string(ip.get("address"), "prevResult.ips[].address");
        if (IpText.cidrFamily(a) == 0) {
          throw new IllegalArgumentException("prevResult.ips[].address \"" + a + "\" is not an IP/prefix");
        }
      }
    } catch (IllegalArgumentException e) {
      throw new CniException(CniException.INVALID_NETCONF, "invalid prevResult: " + e.getMessage());
    }
    client(conf).healthy();
  }

  private static Map<String, Object> identity(CniEnv cni) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("containerID", cni.containerId);
    m.put("ifName", cni.ifName);
    m.put("netNamespace", cni.netns);
    m.put("podNamespace", cni.podNamespace);
    m.put("podName", cni.podName);
    m.put("podUID", cni.podUid);
    return m;
  }

  private IpamClient client(NetConf conf) throws CniException {
    return new IpamClient(transport(conf), new Deadline(conf.timeoutSeconds));
  }

  private Transport transport(NetConf conf) throws CniException {
    if (transports != null) {
      return transports.apply(conf);
    }
    if (conf.kubeconfig == null) {
      return new UnixSocketTransport(conf.unixSocketPath);
    }
    try {
      return new HttpsTransport(Kubeconfig.load(Path.of(conf.kubeconfig)), conf.server);
    } catch (NoSuchFileException e) {
      // The node agent may not have written it yet; the runtime's retry may find it.
      throw new CniException(CniException.TRY_AGAIN_LATER, "kubeconfig " + conf.kubeconfig + " does not exist yet");
    } catch (IOException e) {
      throw new CniException(CniException.INVALID_NETCONF, "ipam.kubeconfig: " + e.getMessage());
    }
  }
}
