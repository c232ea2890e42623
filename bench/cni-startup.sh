#!/bin/sh
# Start-up cost of ippool-cni: wall time from exec to exit of one CNI ADD (and VERSION) against
# a canned unix-socket server, for the shipped launcher and for plainer JVM set-ups.
# Usage: bench/cni-startup.sh [runs]   (after `mvn -DskipTests package`; results: bench/RESULTS-cni.md)
set -eu
runs=${1:-50}
root=$(cd "$(dirname "$0")/.." && pwd)
cni=$root/target/cni
[ -x "$cni/ippool-cni" ] || { echo "build first: mvn -DskipTests package" >&2; exit 1; }
java=$(cat "$cni/ippool-cni.java")
work=$(mktemp -d /tmp/cni-bench.XXXXXX)
sock=$work/ipam.sock
"$java" -cp "$cni/ippool-cni.jar" io.ippool.cni.CdsTraining serve "$sock" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
while [ ! -S "$sock" ]; do sleep 0.05; done

printf '{"cniVersion":"1.0.0","name":"bench","type":"bridge","ipam":{"type":"ippool-cni","ipam_unix_socket_path":"%s","default_ipv4_ippool":["p"]}}' "$sock" > "$work/conf.json"
export CNI_CONTAINERID=bench CNI_NETNS=/var/run/netns/bench CNI_IFNAME=eth0 CNI_PATH=$cni
export CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=bench;K8S_POD_UID=u1"

# measure NAME COMMAND...: runs the command $runs times (after 3 warm-ups), prints p50/p95/mean.
measure() {
  name=$1; shift
  for i in 1 2 3; do "$@" < "$work/conf.json" > /dev/null; done
  : > "$work/times"
  i=0
  while [ $i -lt "$runs" ]; do
    t0=$(date +%s%N)
    "$@" < "$work/conf.json" > "$work/out" || { echo "$name failed: $(cat "$work/out")" >&2; exit 1; }
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 )) >> "$work/times"
    i=$((i + 1))
  done
  sort -n "$work/times" | awk -v n="$name" '{a[NR]=$1; s+=$1} END {
    p50=a[int((NR+1)/2)]; p95=a[int(NR*0.95+0.999)];
    printf "| %-44s | %6.1f | %6.1f | %6.1f | %6.1f |\n", n, p50/1000, p95/1000, s/NR/1000, a[1]/1000 }'
}

flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xss512k -Xmx64m -Xlog:disable -Xlog:all=warning:stderr"
echo "runs=$runs  $(nproc) cores  load: $(cut -d' ' -f1-3 /proc/loadavg)  $("$java" -version 2>&1 | head -1)"
echo
echo "| variant (CNI ADD unless noted)               | p50 ms | p95 ms | mean ms | min ms |"
echo "|----------------------------------------------|--------|--------|--------|--------|"
CNI_COMMAND=ADD measure "launcher: C1 + SerialGC + AppCDS (shipped)" "$cni/ippool-cni"
CNI_COMMAND=VERSION measure "launcher, VERSION" "$cni/ippool-cni"
# shellcheck disable=SC2086
CNI_COMMAND=ADD measure "java, same flags, default CDS only" "$java" $flags -cp "$cni/ippool-cni.jar" io.ippool.cni.Main
CNI_COMMAND=ADD measure "java, no flags (default CDS, C2, G1)" "$java" -cp "$cni/ippool-cni.jar" io.ippool.cni.Main
# shellcheck disable=SC2086
CNI_COMMAND=ADD measure "java, same flags + AppCDS, -Xint" "$java" $flags -Xint -XX:SharedArchiveFile="$cni/ippool-cni.jsa" -cp "$cni/ippool-cni.jar" io.ippool.cni.Main
CNI_COMMAND=ADD measure "java -Xshare:off (no CDS at all)" "$java" -Xshare:off -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$cni/ippool-cni.jar" io.ippool.cni.Main
CNI_COMMAND=ADD measure "baseline: /bin/true (fork+exec+date cost)" /bin/true
