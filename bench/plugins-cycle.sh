#!/usr/bin/env bash
# ADD+DEL cycle of the bridge and ptp plugins with host-local IPAM, jcni against the Go reference
# plugins (/usr/lib/cni, Debian's containernetworking-plugins), measured in the same run with
# hyperfine, plus the peak RSS of each jcni plugin process (/usr/bin/time -f %M). Root only: it
# makes a namespace and a bridge of its own (10.231.0.0/24, fd00:231::/64) and removes them.
#
#   bench/plugins-cycle.sh [runs]        (default 20 cycles each, after 3 warm-ups)
#
# Needs target/cni/bin (mvn -pl plugins-reference -am package). Three stacks: all Go; jcni's plugin with
# Go's host-local; all jcni (the plugin delegates to jcni's host-local). Ratios are all-jcni / all-Go.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
jcni=$PWD/plugins-reference/target/cni/bin
go=/usr/lib/cni
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "needs hyperfine" >&2; exit 2; }
[ -x "$jcni/bridge" ] || { echo "build first: mvn -B -pl plugins-reference -am package -DskipTests" >&2; exit 2; }

work=$(mktemp -d)
ns=jcnibench$$
br=jbrbench$$
ip netns add "$ns"
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  ip link del "$br" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ipam="\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"$work/ipam\",\"ranges\":[[{\"subnet\":\"10.231.0.0/24\"}]]}"
printf '%s' "{\"cniVersion\":\"1.0.0\",\"name\":\"jcnibench\",\"type\":\"bridge\",\"bridge\":\"$br\",\"isGateway\":true,$ipam}" > "$work/bridge.json"
printf '%s' "{\"cniVersion\":\"1.0.0\",\"name\":\"jcnibenchptp\",\"type\":\"ptp\",$ipam}" > "$work/ptp.json"

# one cycle: ADD then DEL, as a runtime runs them (clean environment)
cat > "$work/cycle.sh" <<SH
#!/bin/sh
# \$1 = plugin executable, \$2 = config, \$3 = CNI_PATH (where host-local is found)
set -e
run() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND=\$1 CNI_CONTAINERID=bench CNI_NETNS=/run/netns/$ns \\
  CNI_IFNAME=eth0 CNI_PATH=\$4 "\$2" < "\$3" > /dev/null; }
run ADD "\$1" "\$2" "\$3"
run DEL "\$1" "\$2" "\$3"
SH
chmod +x "$work/cycle.sh"

hyperfine -N --runs "$runs" --warmup 3 --export-json "$work/h.json" \
  -n "go bridge" "$work/cycle.sh $go/bridge $work/bridge.json $go" \
  -n "jcni bridge, go ipam" "$work/cycle.sh $jcni/bridge $work/bridge.json $go" \
  -n "jcni bridge" "$work/cycle.sh $jcni/bridge $work/bridge.json $jcni" \
  -n "go ptp" "$work/cycle.sh $go/ptp $work/ptp.json $go" \
  -n "jcni ptp, go ipam" "$work/cycle.sh $jcni/ptp $work/ptp.json $go" \
  -n "jcni ptp" "$work/cycle.sh $jcni/ptp $work/ptp.json $jcni" >&2

med() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000' "$work/h.json"; }
echo
echo "ADD+DEL cycle, host-local IPAM, median of $runs (ms):"
for p in bridge ptp; do
  g=$(med "go $p"); m=$(med "jcni $p, go ipam"); j=$(med "jcni $p")
  awk -v p="$p" -v g="$g" -v m="$m" -v j="$j" 'BEGIN { printf "  %-6s go %7.1f   jcni+go-ipam %7.1f   jcni %7.1f   jcni/go %.1f\n", p, g, m, j, j / g }'
done

echo
echo "peak RSS of one jcni plugin process (KiB, ADD / DEL; host-local runs as its own process):"
printf '%s' "{\"cniVersion\":\"1.0.0\",\"name\":\"jcnibenchhl\",\"type\":\"host-local\",$ipam}" > "$work/host-local.json"
for p in bridge ptp host-local; do
  for cmd in ADD DEL; do
    rss=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND=$cmd CNI_CONTAINERID=bench CNI_NETNS=/run/netns/$ns \
      CNI_IFNAME=eth0 CNI_PATH=$jcni /usr/bin/time -f %M "$jcni/$p" < "$work/$p.json" 2>&1 >/dev/null | tail -1)
    printf '  %-6s %-3s %s\n' "$p" "$cmd" "$rss"
  done
done
