package io.ippool.ipam;

import io.ippool.spiderpool.PoolSelection;

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
 * @param lanePerPoolSet            true: one coalescing lane per candidate pool set; false (the default): one
 *                                  lane for all ADDs (DELs always share one lane). Every write takes the
 *                                  global resourceVersion lock until its commit, so batches for different
 *                                  pools would run one after another anyway; one lane makes them one batch
 *                                  and one commit (8 pools at 8 clients: 3,600/s instead of 1,100/s in
 *                                  bench/RESULTS-allocation.md)
 * @param inFlightPerLane           transactions a lane may have running at once (the next batch can take
 *                                  its locks while the previous one commits)
 */
public record AllocatorConfig(int maxAllocatedIPs, boolean enableIPv4, boolean enableIPv6, String agentNamespace,
                              String multusClusterNetwork, boolean enableGatewayDetection,
                              boolean enableIPConflictDetection, int maxBatch, boolean lanePerPoolSet,
                              int inFlightPerLane) {

  /**
   * Dual stack, kube-system, and no cap on records per pool. Spiderpool caps a pool at 5000 records
   * (SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS) because its status map grows with every record; here an allocation
   * costs the same on a full /16 as on an empty /24 (watch events leave the map to their readers), so the
   * cap would only refuse addresses. {@link #withMaxAllocatedIPs} restores it.
   */
  public static AllocatorConfig defaults() {
    return new AllocatorConfig(0, true, true, "kube-system", null, false, false, 256, false, 1);
  }

  /** The settings pool selection reads. */
  public PoolSelection.Settings selection() {
    return new PoolSelection.Settings(enableIPv4, enableIPv6, agentNamespace, multusClusterNetwork);
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
