#!/usr/bin/env bash
# Reporting benchmark (not a test): 10,000 pools, 10,000 reserved ranges, 1,000,000 allocations, then
# timings and EXPLAIN (ANALYZE, BUFFERS) of reporting.pool_utilization and reporting.reserved_ip_holders.
# Results and interpretation: bench/RESULTS-reporting.md.
#
# Usage: bench/reporting.sh [postgresql://user:pass@host:port/db]
#   no URL: a throw-away embedded PostgreSQL 17 (zonky), started and removed by the benchmark;
#   URL:    (re)creates the database ippool_report_bench on that server (needs a superuser for the bulk load).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o test-compile
mvn -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Xms256m -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.ippool.bench.ReportingBenchmark "$@"
