#!/usr/bin/env bash
# Garbage collection benchmark (not a test): 10,000 leaked allocations across 20 pools reclaimed by one sweep
# while 32 clients allocate and release in another pool; their ADD p99 with and without the sweep.
# Uses the embedded PostgreSQL of the tests. JAVA_OPTS: -Dseconds=N (length of each measured run, default 12).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o test-compile
mvn -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java ${JAVA_OPTS:-} -Xms512m -Xmx2g -XX:MetaspaceSize=256m \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" io.ippool.bench.GcBenchmark
