package io.ippool.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.Json;
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

  /** The limits every ADD and DEL is held to before it joins a batch: the pod's identity and its sandbox. */
  private static void podIdentityLimits(String containerID, String ifName, String netNamespace, String podNamespace,
                                        String podName, String podUID) {
    IpamRequestLimits.containerID(containerID);
    IpamRequestLimits.ifName(ifName);
    IpamRequestLimits.netNamespace(netNamespace);
    IpamRequestLimits.podNamespace(podNamespace);
    IpamRequestLimits.podName(podName);
    IpamRequestLimits.podUID(podUID);
  }

  /** POST /v1/ipam/ip body. */
  public record AddArgs(String containerID, String ifName, String netNamespace, String podNamespace,
                        String podName, String podUID, List<String> defaultIPv4IPPool,
                        List<String> defaultIPv6IPPool, boolean cleanGateway, boolean matchMasterSubnet) {
    public static AddArgs fromJson(ObjectNode j) {
      AddArgs a = new AddArgs(req(j, "containerID"), req(j, "ifName"), req(j, "netNamespace"),
          req(j, "podNamespace"), req(j, "podName"), req(j, "podUID"), strings(j, "defaultIPv4IPPool"),
          strings(j, "defaultIPv6IPPool"), bool(j, "cleanGateway"), bool(j, "matchMasterSubnet"));
      podIdentityLimits(a.containerID, a.ifName, a.netNamespace, a.podNamespace, a.podName, a.podUID);
      IpamRequestLimits.poolNames("defaultIPv4IPPool", a.defaultIPv4IPPool);
      IpamRequestLimits.poolNames("defaultIPv6IPPool", a.defaultIPv6IPPool);
      return a;
    }

    public ObjectNode toJson() {
      ObjectNode j = Json.MAPPER.createObjectNode().put("containerID", containerID).put("ifName", ifName)
          .put("netNamespace", netNamespace).put("podNamespace", podNamespace).put("podName", podName)
          .put("podUID", podUID);
      if (defaultIPv4IPPool != null && !defaultIPv4IPPool.isEmpty()) {
        defaultIPv4IPPool.forEach(j.putArray("defaultIPv4IPPool")::add);
      }
      if (defaultIPv6IPPool != null && !defaultIPv6IPPool.isEmpty()) {
        defaultIPv6IPPool.forEach(j.putArray("defaultIPv6IPPool")::add);
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
    public static DelArgs fromJson(ObjectNode j) {
      String netns = opt(j, "netNamespace");
      DelArgs a = new DelArgs(req(j, "containerID"), req(j, "ifName"), netns, req(j, "podNamespace"),
          req(j, "podName"), req(j, "podUID"));
      podIdentityLimits(a.containerID, a.ifName, a.netNamespace, a.podNamespace, a.podName, a.podUID);
      return a;
    }
  }

  /** DELETE /v1/ipam/ips body. */
  public record BatchDelArgs(String containerID, String netNamespace, String podNamespace, String podName,
                             String podUID, boolean isReleaseConflictIPs) {
    public static BatchDelArgs fromJson(ObjectNode j) {
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
    public ObjectNode toJson() {
      ObjectNode j = Json.MAPPER.createObjectNode().put("address", address);
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
    public ObjectNode toJson() {
      return Json.MAPPER.createObjectNode().put("ifName", ifName).put("dst", dst).put("gw", gw);
    }
  }

  /** POST /v1/ipam/ip 200 body. {@code dns} is never filled by IPAM. */
  public record AddResponse(List<IpConfig> ips, List<Route> routes) {
    public ObjectNode toJson() {
      ObjectNode j = Json.MAPPER.createObjectNode();
      ArrayNode a = j.putArray("ips");
      ips.forEach(i -> a.add(i.toJson()));
      if (!routes.isEmpty()) {
        ArrayNode r = j.putArray("routes");
        routes.forEach(x -> r.add(x.toJson()));
      }
      return j;
    }
  }

  /** The field's value; null when absent or JSON null (go-swagger treats both as missing). */
  private static JsonNode value(ObjectNode j, String field) {
    JsonNode v = j.get(field);
    return v == null || v.isNull() ? null : v;
  }

  private static String req(ObjectNode j, String field) {
    JsonNode v = value(j, field);
    if (v == null) {
      throw new IpamInputException(IpamInputException.REQUIRED, field + " in body is required");
    }
    if (!v.isTextual()) {
      throw new IpamInputException(IpamInputException.INVALID_TYPE, field + " in body must be of type string: \"" + jsonType(v) + "\"");
    }
    return v.textValue();
  }

  private static String opt(ObjectNode j, String field) {
    JsonNode v = value(j, field);
    if (v != null && !v.isTextual()) {
      throw new IpamInputException(IpamInputException.INVALID_TYPE, field + " in body must be of type string: \"" + jsonType(v) + "\"");
    }
    return v == null ? null : v.textValue();
  }

  private static boolean bool(ObjectNode j, String field) {
    JsonNode v = value(j, field);
    if (v != null && !v.isBoolean()) {
      throw new IpamInputException(IpamInputException.INVALID_TYPE, field + " in body must be of type boolean: \"" + jsonType(v) + "\"");
    }
    return v != null && v.booleanValue();
  }

  private static List<String> strings(ObjectNode j, String field) {
    JsonNode v = value(j, field);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new IpamInputException(IpamInputException.INVALID_TYPE, field + " in body must be of type array: \"" + jsonType(v) + "\"");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isTextual()) {
        throw new IpamInputException(IpamInputException.INVALID_TYPE, field + "." + i + " in body must be of type string: \"" + jsonType(e) + "\"");
      }
      out.add(e.textValue());
    }
    return out;
  }

  private static String jsonType(JsonNode v) {
    if (v == null || v.isNull()) {
      return "null";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    if (v.isArray()) {
      return "array";
    }
    if (v.isObject()) {
      return "object";
    }
    return "string";
  }
}
