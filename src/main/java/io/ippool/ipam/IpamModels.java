package io.ippool.ipam;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent API's bodies (spiderpool api/v1/agent/openapi.yaml), JSON names exactly as on the wire.
 * Parsing checks what go-swagger's Validate checks (required fields present and of the right type) and then
 * {@link IpamRequestLimits}: every request that parses is one the database can store.
 */
public final class IpamModels {
  private IpamModels() {
  }

  /** POST /v1/ipam/ip body. */
  public record AddArgs(String containerID, String ifName, String netNamespace, String podNamespace,
                        String podName, String podUID, List<String> defaultIPv4IPPool,
                        List<String> defaultIPv6IPPool, boolean cleanGateway, boolean matchMasterSubnet) {
    public static AddArgs fromJson(JsonObject j) {
      AddArgs a = new AddArgs(req(j, "containerID"), req(j, "ifName"), req(j, "netNamespace"),
          req(j, "podNamespace"), req(j, "podName"), req(j, "podUID"), strings(j, "defaultIPv4IPPool"),
          strings(j, "defaultIPv6IPPool"), bool(j, "cleanGateway"), bool(j, "matchMasterSubnet"));
      IpamRequestLimits.containerID(a.containerID);
      IpamRequestLimits.ifName(a.ifName);
      IpamRequestLimits.netNamespace(a.netNamespace);
      IpamRequestLimits.podNamespace(a.podNamespace);
      IpamRequestLimits.podName(a.podName);
      IpamRequestLimits.podUID(a.podUID);
      IpamRequestLimits.poolNames("defaultIPv4IPPool", a.defaultIPv4IPPool);
      IpamRequestLimits.poolNames("defaultIPv6IPPool", a.defaultIPv6IPPool);
      return a;
    }

    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("containerID", containerID).put("ifName", ifName)
          .put("netNamespace", netNamespace).put("podNamespace", podNamespace).put("podName", podName)
          .put("podUID", podUID);
      if (defaultIPv4IPPool != null && !defaultIPv4IPPool.isEmpty()) {
        j.put("defaultIPv4IPPool", new JsonArray(new ArrayList<>(defaultIPv4IPPool)));
      }
      if (defaultIPv6IPPool != null && !defaultIPv6IPPool.isEmpty()) {
        j.put("defaultIPv6IPPool", new JsonArray(new ArrayList<>(defaultIPv6IPPool)));
      }
      if (cleanGateway) {
        j.put("cleanGateway", true);
      }
      return j;
    }
  }

  /** DELETE /v1/ipam/ip body. */
  public record DelArgs(String containerID, String ifName, String netNamespace, String podNamespace,
                        String podName, String podUID) {
    public static DelArgs fromJson(JsonObject j) {
      String netns = opt(j, "netNamespace");
      DelArgs a = new DelArgs(req(j, "containerID"), req(j, "ifName"), netns, req(j, "podNamespace"),
          req(j, "podName"), req(j, "podUID"));
      IpamRequestLimits.containerID(a.containerID);
      IpamRequestLimits.ifName(a.ifName);
      IpamRequestLimits.netNamespace(a.netNamespace);
      IpamRequestLimits.podNamespace(a.podNamespace);
      IpamRequestLimits.podName(a.podName);
      IpamRequestLimits.podUID(a.podUID);
      return a;
    }
  }

  /** DELETE /v1/ipam/ips body. */
  public record BatchDelArgs(String containerID, String netNamespace, String podNamespace, String podName,
                             String podUID, boolean isReleaseConflictIPs) {
    public static BatchDelArgs fromJson(JsonObject j) {
      String netns = opt(j, "netNamespace");
      BatchDelArgs a = new BatchDelArgs(req(j, "containerID"), netns, req(j, "podNamespace"), req(j, "podName"),
          req(j, "podUID"), bool(j, "isReleaseConflictIPs"));
      IpamRequestLimits.netNamespace(a.netNamespace);
      IpamRequestLimits.podNamespace(a.podNamespace);
      IpamRequestLimits.podName(a.podName);
      IpamRequestLimits.podUID(a.podUID);
      return a;
    }
  }

  /** One address of the response. */
  public record IpConfig(String address, String gateway, String ipPool, String nic, int version, int vlan,
                         boolean enableGatewayDetection, boolean enableIPConflictDetection) {
    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("address", address);
      if (gateway != null && !gateway.isEmpty()) {
        j.put("gateway", gateway);
      }
      j.put("ipPool", ipPool).put("nic", nic).put("version", version).put("vlan", vlan);
      j.put("enableGatewayDetection", enableGatewayDetection);
      j.put("enableIPConflictDetection", enableIPConflictDetection);
      return j;
    }
  }

  /** A route of the response. */
  public record Route(String ifName, String dst, String gw) {
    public JsonObject toJson() {
      return new JsonObject().put("ifName", ifName).put("dst", dst).put("gw", gw);
    }
  }

  /** POST /v1/ipam/ip 200 body. {@code dns} is never filled by IPAM. */
  public record AddResponse(List<IpConfig> ips, List<Route> routes) {
    public JsonObject toJson() {
      JsonArray a = new JsonArray();
      ips.forEach(i -> a.add(i.toJson()));
      JsonArray r = new JsonArray();
      routes.forEach(x -> r.add(x.toJson()));
      JsonObject j = new JsonObject().put("ips", a);
      if (!routes.isEmpty()) {
        j.put("routes", r);
      }
      return j;
    }
  }

  private static String req(JsonObject j, String field) {
    Object v = j.getValue(field);
    if (v == null) {
      throw new IpamInputException(IpamInputException.REQUIRED, field + " in body is required");
    }
    if (!(v instanceof String s)) {
      throw new IpamInputException(IpamInputException.INVALID_TYPE, field + " in body must be of type string: \"" + jsonType(v) + "\"");
    }
    return s;
  }

  private static String opt(JsonObject j, String field) {
    Object v = j.getValue(field);
    if (v != null && !(v instanceof String)) {
      throw new IpamInputException(IpamInputException.INVALID_TYPE, field + " in body must be of type string: \"" + jsonType(v) + "\"");
    }
    return (String) v;
  }

  private static boolean bool(JsonObject j, String field) {
    Object v = j.getValue(field);
    if (v != null && !(v instanceof Boolean)) {
      throw new IpamInputException(IpamInputException.INVALID_TYPE, field + " in body must be of type boolean: \"" + jsonType(v) + "\"");
    }
    return Boolean.TRUE.equals(v);
  }

  private static List<String> strings(JsonObject j, String field) {
    Object v = j.getValue(field);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray arr)) {
      throw new IpamInputException(IpamInputException.INVALID_TYPE, field + " in body must be of type array: \"" + jsonType(v) + "\"");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) {
      Object e = arr.getValue(i);
      if (!(e instanceof String s)) {
        throw new IpamInputException(IpamInputException.INVALID_TYPE, field + "." + i + " in body must be of type string: \"" + jsonType(e) + "\"");
      }
      out.add(s);
    }
    return out;
  }

  private static String jsonType(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Number) {
      return "number";
    }
    if (v instanceof Boolean) {
      return "boolean";
    }
    if (v instanceof JsonArray) {
      return "array";
    }
    if (v instanceof JsonObject) {
      return "object";
    }
    return "string";
  }
}
