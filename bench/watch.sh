#!/usr/bin/env bash
# Watch benchmark (not a test): delivery latency same-replica and cross-replica with 1 and 100 watchers,
# event-log reads per write, and LIST of 10,000 pools with limit=500 against a plain JDBC SELECT.
#
# Two replicas run in one JVM on one database: PG_URL (postgresql://user:password@host:port/db, a fresh
# database is created on it) if given as $1 or in the environment, else an embedded PostgreSQL.
# Usage: bench/watch.sh [postgresql://postgres:postgres@127.0.0.1:5432/postgres]   (results: bench/RESULTS-watch.md)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o test-compile 2>/dev/null || mvn -q test-compile
mvn -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
export PG_URL="${1:-${PG_URL:-}}"
exec java -Xms512m -Xmx2g -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.ippool.bench.WatchBenchmark
