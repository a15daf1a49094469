#!/usr/bin/env bash
# Warm-mode daemon memory over many calls (not run by CI): N calls (default 10,000) through the
# launchers from 4 parallel callers, a mix of VERSION, host-local ADD and DEL, and every 25th
# iteration a bridge+host-local ADD+DEL in a namespace of its own; the daemon's RSS sampled every
# 500 calls. Prints the samples, the RSS after the last call and the trend over the last half
# (least-squares slope in KiB per 1,000 calls, and max - min). Root only (10.233.0.0/16). Also run by
# bench/compare.sh --soak CALLS after its table; docs/performance.md has the numbers of one run.
#
#   bench/warm-soak.sh [calls]
#
# WARM_SOAK_NMT=1: the daemon runs with -XX:NativeMemoryTracking=summary, and its native memory
# summary and heap are printed at the end (jcmd), to see where the RSS goes.
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-10000}
[ -z "${WARM_SOAK_NMT:-}" ] || export JCNI_JAVA_OPTS="${JCNI_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary"
# The packaged reference distribution (plugins-reference/target/cni, made by jcni package) and its
# warm-mode daemon, started with lib/jcni-daemon on /run/jcni/reference.sock as the unit starts it
# (it refuses to start when a daemon already serves that socket). $work, the namespace $ns and the
# bridge $br are removed on exit with the daemon. The daemon's stderr goes to $work/daemon.log.
# WARM_DAEMON_ARGS (e.g. "--max-calls 4") and JCNI_JAVA_OPTS (the daemon's extra JVM options) try
# other settings.
cni=$PWD/plugins-reference/target/cni
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
if [ ! -x "$cni/lib/jcni-shim" ] || [ ! -x "$cni/lib/jcni-daemon" ] || [ ! -f "$cni/lib/jcni-dist.properties" ]; then
  echo "build first (with gcc for the shim): mvn -B -pl plugins-reference -am package -DskipTests" >&2
  exit 2
fi
work=$(mktemp -d)
chmod 755 "$work"
ns=jcniwarm$$
br=jwbr$$
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  ip link del "$br" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
ip netns add "$ns"

bin=$cni/bin
# shellcheck disable=SC2086
"$cni/lib/jcni-daemon" ${WARM_DAEMON_ARGS:-} 2> "$work/daemon.log" &
daemon_pid=$!
for _ in $(seq 600); do grep -q "serving dist" "$work/daemon.log" 2>/dev/null && break; kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
grep -q "serving dist" "$work/daemon.log" || { cat "$work/daemon.log" >&2; echo "the daemon did not start" >&2; exit 1; }

printf '{"cniVersion":"1.0.0"}' > "$work/version.json"
printf '{"cniVersion":"1.0.0","name":"soak","ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.233.0.0/20"}]]}}' \
  "$work/ipam" > "$work/hl.json"
printf '{"cniVersion":"1.0.0","name":"soakbr","type":"bridge","bridge":"%s","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.233.16.0/24"}]]}}' \
  "$br" "$work/ipam" > "$work/br.json"

# one caller: $1 = its number, $2 = iterations; each iteration makes 3 calls (5 on every 25th)
cat > "$work/caller.sh" <<SH
#!/bin/sh
E="env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_IFNAME=eth0 CNI_PATH=$bin"
i=0
while [ \$i -lt \$2 ]; do
  id=s\$1-\$i
  \$E CNI_COMMAND=VERSION $bin/bridge < $work/version.json > /dev/null || echo "VERSION failed" >&2
  \$E CNI_COMMAND=ADD CNI_CONTAINERID=\$id CNI_NETNS=/run/netns/$ns $bin/host-local < $work/hl.json > /dev/null || echo "ADD \$id failed" >&2
  \$E CNI_COMMAND=DEL CNI_CONTAINERID=\$id CNI_NETNS=/run/netns/$ns $bin/host-local < $work/hl.json > /dev/null || echo "DEL \$id failed" >&2
  if [ \$1 = 0 ] && [ \$((i % 25)) = 0 ]; then
    \$E CNI_COMMAND=ADD CNI_CONTAINERID=b\$i CNI_NETNS=/run/netns/$ns $bin/bridge < $work/br.json > /dev/null || echo "bridge ADD failed" >&2
    \$E CNI_COMMAND=DEL CNI_CONTAINERID=b\$i CNI_NETNS=/run/netns/$ns $bin/bridge < $work/br.json > /dev/null || echo "bridge DEL failed" >&2
  fi
  i=\$((i + 1))
done
SH
chmod +x "$work/caller.sh"

served() { grep -c ' served ' "$work/daemon.log" || true; }
rss() { awk '/VmRSS/ { print $2 }' "/proc/$daemon_pid/status"; }
echo "soak: $total calls, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); daemon: $(tr '\0' ' ' < "/proc/$daemon_pid/cmdline" | grep -o -- ' -X[^ ]*' | tr -d '\n')"
echo "calls rss_kib"
# the daemon logs each call at debug level only; count them through the callers instead
: > "$work/samples"
start=$(date +%s)
done_calls=0
step=500
while [ "$done_calls" -lt "$total" ]; do
  # 4 callers x (step / 12) iterations x 3 calls ~ step calls (the bridge pairs add a few)
  per=$(( step / 12 ))
  pids=
  for c in 0 1 2 3; do "$work/caller.sh" "$c" "$per" & pids="$pids $!"; done
  # shellcheck disable=SC2086
  wait $pids
  done_calls=$(( done_calls + 4 * per * 3 + 2 * ( (per + 24) / 25 ) ))
  echo "$done_calls $(rss)" | tee -a "$work/samples"
done
end=$(date +%s)
echo
echo "calls: $done_calls in $((end - start)) s; daemon RSS after them: $(( $(rss) / 1024 )) MiB"
awk -v half=$(( done_calls / 2 )) '$1 >= half { n++; x += $1; y += $2; xx += $1 * $1; xy += $1 * $2; if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2 }
  END { s = (n * xy - x * y) / (n * xx - x * x); printf "last half (%d samples): slope %.1f KiB per 1,000 calls, max-min %d KiB (%.1f MiB .. %.1f MiB)\n", n, s * 1000, max - min, min / 1024, max / 1024 }' "$work/samples"
grep -iE "warn|error" "$work/daemon.log" | head -5 || true
if [ -n "${WARM_SOAK_NMT:-}" ]; then
  jcmd "$daemon_pid" GC.heap_info | tail -n +2
  jcmd "$daemon_pid" VM.native_memory summary | grep -E '^(Total|-)' | sed 's/^-//'
fi
