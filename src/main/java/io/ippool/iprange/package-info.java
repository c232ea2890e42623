/**
 * Spiderpool's IP address, CIDR and range rules (its pkg/ip), on BigInteger intervals.
 *
 * <p>Entry points: {@link io.ippool.iprange.Ip#parse} and {@link io.ippool.iprange.Cidr#parse} (Go net.ParseIP /
 * net.ParseCIDR, Go-canonical {@code toString}/{@code canonical}); {@link io.ippool.iprange.IpSyntax} (IsIP,
 * IsCIDR, IsIPRange and their error texts); {@link io.ippool.iprange.IpRanges} (MergeIPRanges,
 * CIDRToLabelValue); {@link io.ippool.iprange.SubnetRanges} (the NewCIDR engine); {@link
 * io.ippool.iprange.RangeSet} (normalize, subtract, intersect, count, contains); {@link
 * io.ippool.iprange.PoolRanges} (effective ranges and totalIPCount of a pool spec). No class here expands a range
 * into single addresses, and nothing does DNS.
 */
package io.ippool.iprange;
