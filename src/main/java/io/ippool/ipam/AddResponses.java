package io.ippool.ipam;

import io.ippool.spiderpool.IpamMessages;
import io.ippool.spiderpool.PoolSelection;

import com.fasterxml.jackson.databind.JsonNode;
import io.ippool.api.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.AddResponse;
import io.ippool.ipam.IpamModels.IpConfig;
import io.ippool.ipam.IpamModels.Route;
import io.ippool.iprange.Cidr;
import io.ippool.iprange.Ip;
import io.ippool.spiderpool.Allocation;
import io.ippool.spiderpool.StoredPool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** IpamAddResponse for what a container holds, as Spiderpool's convert.GenIPConfigResult builds it. */
final class AddResponses {
  private static final ObjectMapper JSON = Json.MAPPER;

  private AddResponses() {
  }

  /**
   * @param pools       bodies of the pools the allocations came from (a pool removed since is tolerated)
   * @param cleanByNic  cleanGateway per NIC from its candidate; NICs not in it use the request's
   */
  static AddResponse of(AllocatorConfig cfg, AddArgs args, List<Allocation> allocations,
                        Map<String, StoredPool> pools, Map<String, Boolean> cleanByNic,
                        Map<String, String> podAnnotations) {
    List<IpConfig> ips = new ArrayList<>();
    List<Route> routes = new ArrayList<>();
    Map<String, Cidr> subnetByNic = new LinkedHashMap<>();
    boolean noName = allocations.stream().allMatch(a -> a.ifName().chars().allMatch(Character::isDigit));
    List<Allocation> ordered = new ArrayList<>(allocations);
    ordered.sort((a, b) -> a.ifName().equals(b.ifName()) ? Integer.compare(a.family(), b.family())
        : a.ifName().compareTo(b.ifName()));
    List<Route> defaults = new ArrayList<>();
    for (Allocation a : ordered) {
      String nic = noName && a.ifName().equals("0") ? "eth0" : a.ifName();
      StoredPool pool = pools.get(a.pool());
      JsonNode spec = pool == null ? JSON.createObjectNode() : pool.body().path("spec");
      // null for a pool removed since: the address is still reported, with the host prefix
      Cidr subnet = Cidr.parse(spec.path("subnet").asText(null));
      // maskOnes: the prefix as the subnet is written, which is what the CNI result has always carried
      int prefix = subnet != null ? subnet.maskOnes() : (a.family() == 4 ? 32 : 128);
      String gateway = spec.path("gateway").asText("");
      // new Ip(family, number), not a re-parse: the stored number of its family is the address, printed as Go does
      ips.add(new IpConfig(new Ip(a.family(), a.address()) + "/" + prefix, gateway, a.pool(), nic,
          a.family(), 0, cfg.enableGatewayDetection(), cfg.enableIPConflictDetection()));
      if (subnet != null) {
        subnetByNic.put(nic + "/" + a.family(), subnet);
      }
      for (JsonNode r : spec.path("routes")) {
        routes.add(new Route(nic, r.path("dst").asText(), r.path("gw").asText()));
      }
      boolean clean = cleanByNic.getOrDefault(a.ifName(), args.cleanGateway());
      if (!gateway.isEmpty() && !clean) {
        defaults.add(new Route(nic, a.family() == 4 ? "0.0.0.0/0" : "::/0", gateway));
      }
    }
    try {
      routes.addAll(customRoutes(podAnnotations, subnetByNic));
    } catch (IpamException malformed) {
      // checked before the request was queued; a pod annotation edited since is ignored here
    }
    routes.addAll(defaults);
    return new AddResponse(ips, routes);
  }

  /** ipam.spidernet.io/routes, each put on the NIC whose allocated subnet contains its gw. */
  static List<Route> customRoutes(Map<String, String> annotations, Map<String, Cidr> subnetByNic) {
    String v = annotations.get(PoolSelection.ANNO_ROUTES);
    if (v == null || v.isBlank()) {
      return List.of();
    }
    List<Route> out = new ArrayList<>();
    try {
      for (JsonNode r : JSON.readTree(v)) {
        String gwText = r.path("gw").asText();
        Ip gw = Ip.parse(gwText);
        if (gw == null) {
          throw new IllegalArgumentException("invalid IP address \"" + gwText + "\"");
        }
        for (var e : subnetByNic.entrySet()) {
          if (e.getValue().contains(gw)) {
            String nic = e.getKey().substring(0, e.getKey().lastIndexOf('/'));
            out.add(new Route(nic, r.path("dst").asText(), r.path("gw").asText()));
            break;
          }
        }
      }
    } catch (Exception e) {
      throw new IpamException(IpamMessages.STANDARD + "wrong input, invalid format of Pod annotation '"
          + PoolSelection.ANNO_ROUTES + "': " + e.getMessage());
    }
    return out;
  }
}
