#!/usr/bin/env bash
# jcni demo: attach a fresh network namespace ("the container") with jcni's own plugins
# (bridge + host-local + portmap), driven by the jcni CLI, send traffic to it through a port
# mapping, check it, and tear everything down again. Needs root. It touches only what it creates:
# a namespace, a bridge and rules named after a random id, a 10.x subnet, files in a temp dir.
#
#   sudo demo/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo/run.sh needs root (it creates a network namespace and a bridge)" >&2; exit 1; }

# set-up on a fresh Debian machine: the tools the demo uses to look at what the plugins did
missing=
command -v ip >/dev/null || missing="$missing iproute2"
command -v iptables >/dev/null || missing="$missing iptables"
command -v nc >/dev/null || missing="$missing netcat-openbsd"
if [ -n "$missing" ]; then
  echo "== installing$missing"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

bin=$PWD/plugins-reference/target/cni/bin
if [ ! -x "$bin/jcni" ] || [ ! -x "$bin/bridge" ]; then
  echo "== building jcni (mvn package)"
  mvn -B -q package -DskipTests
fi

id=$(printf '%04x' $((RANDOM % 65536)))
ns=jcni-demo-$id
br=jdemo$id
net=jcni-demo-$id
third=$((RANDOM % 200 + 20))
subnet=10.231.$third.0/24
gateway=10.231.$third.1
hostport=$((20000 + RANDOM % 10000))
work=$(mktemp -d /tmp/jcni-demo.XXXXXX)
mkdir -p "$work/net.d" "$work/cache"

export NETCONFPATH=$work/net.d CNI_PATH=$bin
export CAP_ARGS="{\"portMappings\":[{\"hostPort\":$hostport,\"containerPort\":80,\"protocol\":\"tcp\"}]}"
jcni() { "$bin/jcni" --cache-dir "$work/cache" "$@"; }
step() { printf '\n== %s\n' "$*"; }

# shared state the plugins create for every container (portmap's CNI-HOSTPORT-* chains, forwarding):
# the demo puts it back as it found it
had_hostport=$(iptables -t nat -S CNI-HOSTPORT-DNAT >/dev/null 2>&1 && echo yes || echo no)
forward4=$(cat /proc/sys/net/ipv4/ip_forward)
drop_hostport_chains() {
  local ipt=$1
  $ipt -t nat -S CNI-HOSTPORT-DNAT 2>/dev/null | grep -q '^-A' && return 0   # still used by someone
  $ipt -t nat -D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT 2>/dev/null
  $ipt -t nat -D OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT 2>/dev/null
  $ipt -t nat -D POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ 2>/dev/null
  for c in CNI-HOSTPORT-DNAT CNI-HOSTPORT-MASQ CNI-HOSTPORT-SETMARK; do
    $ipt -t nat -F "$c" 2>/dev/null; $ipt -t nat -X "$c" 2>/dev/null
  done
}

cleanup() {
  set +e
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null
  [ -e "/run/netns/$ns" ] && jcni del "$net" "/run/netns/$ns" >/dev/null 2>&1
  ip netns del "$ns" 2>/dev/null
  ip link del "$br" 2>/dev/null
  if [ "$had_hostport" = no ]; then drop_hostport_chains iptables; drop_hostport_chains ip6tables; fi
  echo "$forward4" > /proc/sys/net/ipv4/ip_forward
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/net.d/10-demo.conflist" <<JSON
{
  "cniVersion": "1.1.0",
  "name": "$net",
  "plugins": [
    { "type": "bridge", "bridge": "$br", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "dataDir": "$work/ipam",
                "ranges": [[{ "subnet": "$subnet" }]], "routes": [{ "dst": "0.0.0.0/0" }] } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
step "network configuration ($NETCONFPATH)"
cat "$work/net.d/10-demo.conflist"

step "ip netns add $ns"
ip netns add "$ns"

step "jcni add $net /run/netns/$ns   (bridge -> host-local -> portmap, host port $hostport -> 80)"
start=$(date +%s%N)
jcni add "$net" "/run/netns/$ns"
echo
echo "(took $(( ($(date +%s%N) - start) / 1000000 )) ms)"

step "inside the container"
ip -n "$ns" -br addr show
ip -n "$ns" route show

step "container -> gateway $gateway"
if command -v ping >/dev/null; then
  ip netns exec "$ns" ping -c 2 -W 2 "$gateway"
else
  # no ping here: a TCP round trip to a listener on the gateway address (on the demo's bridge)
  (printf 'hello from the host\n' | nc -l -s "$gateway" -p 7 -q 1 2>/dev/null) &
  listener=$!
  sleep 0.5
  echo "received: $(ip netns exec "$ns" nc -w 3 "$gateway" 7 </dev/null)"
  wait "$listener" 2>/dev/null || true
fi

step "host -> $gateway:$hostport (DNAT by portmap) -> container:80"
ip netns exec "$ns" sh -c 'printf "hello from the container\n" | nc -l -p 80 -q 1 2>/dev/null || printf "hello from the container\n" | nc -l 80' &
server=$!
sleep 0.5
reply=$(nc -w 3 "$gateway" "$hostport" </dev/null || true)
wait "$server" 2>/dev/null || true
server=
echo "received: ${reply:-<nothing>}"
[ "$reply" = "hello from the container" ] || { echo "demo: port mapping did not deliver" >&2; exit 1; }

step "jcni check $net /run/netns/$ns"
jcni check "$net" "/run/netns/$ns" && echo "ok"

step "jcni status $net"
jcni status "$net" && echo "ok"

step "jcni del $net /run/netns/$ns"
jcni del "$net" "/run/netns/$ns" && echo "ok"

step "nothing of the attachment is left"
echo "links in the container: $(ip -n "$ns" -br link show | awk '{print $1}' | tr '\n' ' ')"
echo "address reservations:   $(ls "$work/ipam/$net" 2>/dev/null | grep -v -e lock -e last_reserved | tr '\n' ' ')"
echo "cache entries:          $(ls "$work/cache/results" 2>/dev/null | tr '\n' ' ')"
echo "portmap/ipMasq rules:   $(iptables -t nat -S | grep -c -e "$net" || true)"
echo
echo "demo done; removing the namespace and the bridge"
