package io.ippool.ipam;

/**
 * The spiderpool-agent settings that shape allocation.
 *
 * @param maxAllocatedIPs           SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS: records a pool may hold (0 = no limit)
 * @param enableIPv4                candidates of a disabled family are dropped, as Spiderpool does
 * @param enableIPv6                see enableIPv4
 * @param agentNamespace            namespace assumed for multusName entries without one
 * @param multusClusterNetwork      MULTUS_CLUSTER_NETWORK, the first NIC's network when the pod names none
 * @param enableGatewayDetection    copied into every IpConfig
 * @param enableIPConflictDetection copied into every IpConfig
 * @param maxBatch                  most requests one allocation transaction serves
 * @param lanePerPoolSet            true: one coalescing lane per candidate pool set; false: one lane for all
 *                                  requests (bigger batches; every write serialises on the global
 *                                  resourceVersion counter anyway)
 * @param inFlightPerLane           transactions a lane may have running at once (the next batch can take
 *                                  its locks while the previous one commits)
 */
public record AllocatorConfig(int maxAllocatedIPs, boolean enableIPv4, boolean enableIPv6, String agentNamespace,
                              String multusClusterNetwork, boolean enableGatewayDetection,
                              boolean enableIPConflictDetection, int maxBatch, boolean lanePerPoolSet,
                              int inFlightPerLane) {

  /** Spiderpool's defaults: 5000 records per pool, dual stack, kube-system. */
  public static AllocatorConfig defaults() {
    return new AllocatorConfig(5000, true, true, "kube-system", null, false, false, 256, true, 1);
  }

  public AllocatorConfig withMaxAllocatedIPs(int n) {
    return new AllocatorConfig(n, enableIPv4, enableIPv6, agentNamespace, multusClusterNetwork,
        enableGatewayDetection, enableIPConflictDetection, maxBatch, lanePerPoolSet, inFlightPerLane);
  }

  public AllocatorConfig withMultusClusterNetwork(String network) {
    return new AllocatorConfig(maxAllocatedIPs, enableIPv4, enableIPv6, agentNamespace, network,
        enableGatewayDetection, enableIPConflictDetection, maxBatch, lanePerPoolSet, inFlightPerLane);
  }

  public AllocatorConfig withLanes(boolean perPoolSet, int inFlight) {
    return new AllocatorConfig(maxAllocatedIPs, enableIPv4, enableIPv6, agentNamespace, multusClusterNetwork,
        enableGatewayDetection, enableIPConflictDetection, maxBatch, perPoolSet, inFlight);
  }
}
