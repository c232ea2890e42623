package io.ippool.cni;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the server's IpamAddResponse into a CNI result, the way Spiderpool's assembleResult does:
 * only ips and routes for CNI_IFNAME, addresses keep their host bits, empty gateways are dropped,
 * dns is copied. The output shape then depends on the netconf's cniVersion.
 */
final class CniResult {
  private CniResult() {}

  static String build(Map<String, Object> resp, String ifName, String cniVersion) throws CniException {
    try {
      return Json.write(convert(resp, ifName, cniVersion));
    } catch (IllegalArgumentException e) {
      throw new CniException(CniException.BAD_SERVER_RESPONSE,
          "invalid allocation response from the IPAM server: " + e.getMessage());
    }
  }

  static Map<String, Object> convert(Map<String, Object> resp, String ifName, String cniVersion)
      throws CniException {
    List<Object> ips = new ArrayList<>();
    List<Object> rawIps = Json.array(resp.get("ips"), "ips");
    if (rawIps != null) {
      for (Object o : rawIps) {
        Map<String, Object> ip = Json.object(o, "ips[]");
        if (ip == null || !ifName.equals(ip.get("nic"))) {
          continue;
        }
        String address = Json.string(ip.get("address"), "ips[].address");
        int family = IpText.cidrFamily(address);
        if (family == 0) {
          throw new IllegalArgumentException("ips[].address \"" + address + "\" is not an IP/prefix");
        }
        Object v = ip.get("version");
        if (v != null && !String.valueOf(v).equals(String.valueOf(family))) {
          throw new IllegalArgumentException("ips[].version " + v + " does not match " + address);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (CniVersions.ipsCarryVersion(cniVersion)) {
          out.put("version", String.valueOf(family)); // a string in 0.3.x/0.4.0 results
        }
        out.put("address", address);
        String gw = Json.string(ip.get("gateway"), "ips[].gateway");
        if (gw != null && !gw.isEmpty()) {
          if (IpText.family(gw) == 0) {
            throw new IllegalArgumentException("ips[].gateway \"" + gw + "\" is not an IP");
          }
          out.put("gateway", gw);
        }
        ips.add(out);
      }
    }
    if (ips.isEmpty()) {
      throw new CniException(CniException.BAD_SERVER_RESPONSE,
          "no Interface " + ifName + " IP allocation found");
    }
    List<Object> routes = new ArrayList<>();
    List<Object> rawRoutes = Json.array(resp.get("routes"), "routes");
    if (rawRoutes != null) {
      for (Object o : rawRoutes) {
        Map<String, Object> r = Json.object(o, "routes[]");
        if (r == null || !ifName.equals(r.get("ifName"))) {
          continue;
        }
        String dst = Json.string(r.get("dst"), "routes[].dst");
        if (IpText.cidrFamily(dst) == 0) {
          throw new IllegalArgumentException("routes[].dst \"" + dst + "\" is not a CIDR");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dst", dst);
        String gw = Json.string(r.get("gw"), "routes[].gw");
        if (gw != null && !gw.isEmpty()) {
          out.put("gw", gw);
        }
        routes.add(out);
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("cniVersion", cniVersion);
    result.put("ips", ips);
    if (!routes.isEmpty()) {
      result.put("routes", routes);
    }
    result.put("dns", dns(Json.object(resp.get("dns"), "dns")));
    return result;
  }

  private static Map<String, Object> dns(Map<String, Object> in) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (in == null) {
      return out;
    }
    List<String> ns = Json.strings(in.get("nameservers"), "dns.nameservers");
    if (!ns.isEmpty()) {
      out.put("nameservers", ns);
    }
    String domain = Json.string(in.get("domain"), "dns.domain");
    if (domain != null && !domain.isEmpty()) {
      out.put("domain", domain);
    }
    List<String> search = Json.strings(in.get("search"), "dns.search");
    if (!search.isEmpty()) {
      out.put("search", search);
    }
    List<String> options = Json.strings(in.get("options"), "dns.options");
    if (!options.isEmpty()) {
      out.put("options", options);
    }
    return out;
  }
}
