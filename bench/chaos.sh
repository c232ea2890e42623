#!/usr/bin/env bash
# Chaos benchmark: two packaged server processes on one PostgreSQL, 32 clients on both IPAM sockets making
# 24,000 allocations (every fourth pod released right after) while a SpiderReservedIP is created just ahead of
# the allocation frontier, one replica is killed with SIGKILL and restarted, and PostgreSQL is stopped and
# started again. Checks (exit 1 if any fails): no address held twice, no reserved address handed out by a batch
# that committed after the reservation, one allocation per pod in the history, exact counts through both
# replicas, an empty pool after every pod's DEL. Prints errors by type and recovery times.
#
# PostgreSQL is the product's embedded server (zonky binaries from Maven, fsync and synchronous commit on) in a
# temporary directory on a free loopback port: nothing to install, nothing left behind. Needs kubectl on the
# PATH. JAVA_OPTS: -Dallocations=N (default 24000), -Dclients=N (default 32).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v kubectl >/dev/null || { echo "kubectl is not on the PATH" >&2; exit 2; }
[ -f target/ippool-apiserver.jar ] || mvn -q -DskipTests package
mvn -q test-compile
mvn -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java ${JAVA_OPTS:-} -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.ippool.bench.ChaosBenchmark
