#!/usr/bin/env bash
# Node agent benchmark (not a test; run as root): exec-to-result ADD latency (p50/p99) of Spiderpool's CNI plugin
# and ippool-cni at 1 and 8 concurrent pod starts per node, through three agents and directly on the server's
# socket in the same run; N pod ADDs over three agents at 8 per node vs the server's socket; agent start-up and
# RSS. Results: bench/RESULTS-agent.md.
# Usage: bench/agent.sh [spiderpool-cni.xz]   (default ../shared/fixtures/spiderpool-cni-v1.0.6.xz)
# JAVA_OPTS: -Dpods=1000 (throughput ADDs per row), -Dsamples=120 (latency ADDs per row).
set -euo pipefail
cd "$(dirname "$0")/.."
fixture=${1:-../shared/fixtures/spiderpool-cni-v1.0.6.xz}
[ -r "$fixture" ] || fixture=/work/shared/fixtures/spiderpool-cni-v1.0.6.xz
[ -x target/cni/ippool-cni ] && [ -f target/ippool-apiserver.jar ] || mvn -q -DskipTests package
mvn -q test-compile
bin=$(mktemp -d /tmp/agent-bench-bin.XXXXXX)
trap 'rm -rf "$bin"' EXIT
xz -dc "$fixture" > "$bin/spiderpool" && chmod +x "$bin/spiderpool"
java ${JAVA_OPTS:-} -cp target/test-classes io.ippool.bench.AgentBenchmark "$PWD" "$bin/spiderpool"
