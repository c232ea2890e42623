package io.ippool.spiderpool;

import java.math.BigInteger;

/** One address a container's interface holds, as a number in its family's space. */
public record Allocation(String containerId, String ifName, int family, BigInteger address, String pool) {
}
