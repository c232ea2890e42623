#!/usr/bin/env bash
# Allocation under full-object watchers (not a test): 32 clients on the IPAM unix socket of the packaged server
# (its own process, zero-config: embedded PostgreSQL), on a fresh /16 and on a /16 holding 40,000 addresses,
# without watchers and with two `kubectl get sp -w -o json` plus one `kubectl get sp busy -w -o yaml`, taking
# turns. Reports allocations/s, p50/p99, the server's peak RSS, and whether each watcher ended with the exact
# final allocatedIPs. JAVA_OPTS: -Dfill=N (addresses the busy pool holds first, default 40000).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -DskipTests package
mvn -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java ${JAVA_OPTS:-} -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.ippool.bench.WatchedAllocationBenchmark
