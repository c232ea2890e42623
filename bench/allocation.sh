#!/usr/bin/env bash
# Allocation benchmark (not a test): allocations/s and p50/p99 at 1, 8, 32, 64 clients on one pool and on
# 8 pools, release throughput, 99%-full /16 vs empty /24, and pgbench -N on the same PostgreSQL.
#
# Needs a PostgreSQL reachable with a password, e.g. Debian's cluster on this machine:
#   pg_ctlcluster 15 main start
#   runuser -u postgres -- psql -c "ALTER USER postgres PASSWORD 'postgres'"
# Usage: bench/allocation.sh [postgresql://postgres:postgres@127.0.0.1:5432/postgres]
# JAVA_OPTS: -Dquick=true (allocation rows only), -Dclients=1,8 (those client counts), -Dlanes=perpool,
# -Dinflight=2 (the allocator's lane settings), -Dlogs=true (keep the allocator's INFO line per address; send
# stderr to a file).
# -XX:MetaspaceSize: a JVM that is still loading classes otherwise stops for a "Metadata GC Threshold" pause
# (18-25 ms here) in the middle of the first measured rows; a server that has run for a minute does not.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q test-compile
mvn -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java ${JAVA_OPTS:-} -Xms512m -Xmx2g -XX:MetaspaceSize=256m -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.ippool.bench.AllocationBenchmark "${1:-postgresql://postgres:postgres@127.0.0.1:5432/postgres}"
