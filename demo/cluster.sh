#!/usr/bin/env bash
# jcni cluster demo: the Kubernetes network model on jcni's plugins, with network namespaces.
#
# N "nodes" (default 3) are network namespaces joined by an underlay: a bridge in a namespace of its
# own, node addresses 10.x.0.11, .12, ... Each node has its own pod CIDR (a host-local range) and
# routes to the other nodes' pod CIDRs via their node address (host-gw, as kubenet and flannel's
# host-gw backend do). "Pods" are namespaces attached by the jcni CLI run inside their node's
# namespace, so that the node namespace is the plugins' host, with a conflist of bridge (cni0,
# isGateway) + host-local + portmap; the last node uses ptp instead of bridge. Each pod runs a
# "container" that answers TCP connections with the peer address it saw; pod n1a has a second
# container (its own PID and UTS namespaces, the pod's network namespace) that talks to the first
# over localhost.
#
# It checks the model and prints a table: pod to pod on one node, pod to pod across nodes with the
# source address preserved, node to its own pods, a hostPort reached on a node's address from another
# node, the two containers of one pod over localhost, removal of every pod leaving every node clean
# (no veth, reservation, rule or cache entry), and the host's own namespace untouched. It prints the
# time each ADD and DEL took. Exit status 0 when every row is ok.
#
# Nothing in the host's own namespace changes (no link, route, sysctl or firewall rule there) and all
# traffic stays between the demo's namespaces. Everything it made (namespaces, and so their links and
# rules; processes; the work directory) is removed on exit, also on failure, Ctrl-C or SIGTERM.
# Its names all start with jcl-<id>- (ip netns list), so several runs can go on at the same time.
#
#   sudo demo/cluster.sh [--nodes N] [--id HEX]
#
# Environment:
#   JCNI_DEMO_WARM=off|auto   off (default): the launchers run cold (JCNI_WARM=off). auto: they hand
#                             calls to the warm-mode daemon when its socket exists.
#   JCNI_DEMO_CNI_PATH        CNI_PATH of the plugins (default: the distribution's bin directory)
#   TMPDIR                    where the work directory goes (default /tmp)
#   JCNI_DEMO_PAUSE           a command run (and waited for) with "attached" once every pod is attached
#                             and checked, and with "removed" once every pod is removed, before the
#                             clean-up (ClusterDemoIT looks at the namespaces itself there)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s%N)

usage() { echo "usage: demo/cluster.sh [--nodes N (2..9, default 3)] [--id HEX (names: jcl-HEX-*)]" >&2; exit 2; }
nodes=3
id=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
while [ $# -gt 0 ]; do
  case $1 in
    -n|--nodes) [ $# -ge 2 ] || usage; nodes=$2; shift 2 ;;
    --id) [ $# -ge 2 ] || usage; id=$2; shift 2 ;;
    *) usage ;;
  esac
done
case $nodes in [2-9]) ;; *) usage ;; esac
case $id in *[!0-9a-f]*|'') usage ;; esac
[ "${#id}" -le 12 ] || usage
[ "$(id -u)" = 0 ] || { echo "demo/cluster.sh needs root (it creates network namespaces)" >&2; exit 1; }
for tool in ip nc unshare iptables-save sha512sum awk; do
  command -v "$tool" >/dev/null || { echo "demo/cluster.sh needs $tool (.ci/run lists the packages)" >&2; exit 1; }
done

dist=$PWD/plugins-reference/target/cni
bin=$dist/bin
if [ ! -x "$bin/jcni" ] || [ ! -x "$bin/bridge" ] || [ ! -x "$bin/ptp" ]; then
  echo "== building jcni (mvn package)"
  mvn -B -q package -DskipTests
  echo
  started=$(date +%s%N)   # the demo's time does not count the build
fi
cni_path=${JCNI_DEMO_CNI_PATH:-$bin}

p=jcl-$id                 # every namespace of the run: jcl-<id>-underlay, -node<i>, -n<i><a|b>
net=k8s-pod-network       # the network's name on every node (each node has its own config and store)
host_port=30080           # pod a of every node maps this host port ...
app_port=8080             # ... to the port its container answers on
work=

# ---------------------------------------------------------------------------------------------------
# cleanup: processes in the demo's namespaces, the namespaces (their links, bridges, routes and rules
# go with them), the work directory. Runs on every exit, also after a failure, Ctrl-C or SIGTERM.
all_ns() { ip netns list 2>/dev/null | awk -v p="$p-" 'index($1, p) == 1 { print $1 }'; }
cleanup() {
  local status=$? ns pids left
  set +e
  trap - EXIT
  trap '' INT TERM   # a second Ctrl-C does not stop the cleanup half-way
  [ "$status" = 0 ] || [ "$status" = 130 ] || echo "cluster demo: failed (exit $status); removing everything it made" >&2
  for ns in $(all_ns); do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
  done
  pids=$(jobs -p)
  [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
  wait 2>/dev/null
  for ns in $(all_ns); do ip netns del "$ns" 2>/dev/null; done
  [ -n "$work" ] && rm -rf "$work"
  left=$(all_ns)
  if [ -n "$left" ]; then
    echo "cluster demo: could not remove:" $left >&2
    [ "$status" = 0 ] && status=1
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo; echo "cluster demo: interrupted, removing everything it made" >&2; exit 130' INT TERM
work=$(mktemp -d "${TMPDIR:-/tmp}/jcni-cluster.XXXXXX")
cp demo/echo-server.sh "$work/echo-server.sh"

# addresses: they exist only inside the demo's namespaces, and are chosen apart from the host's routes
routes=$(ip -4 route show table all 2>/dev/null || true)
o=
for _ in $(seq 50); do
  c=$((RANDOM % 50 + 100))
  grep -q "10\.$c\." <<<"$routes" || { o=$c; break; }
done
[ -n "$o" ] || { echo "cluster demo: no free 10.x.0.0/16 (100 <= x < 150) beside the host's routes" >&2; exit 1; }
node_net=10.$o.0.0/24                     # the underlay: node i is 10.o.0.(10+i)
cluster_cidr=10.$o.128.0/17               # pods: node i has 10.o.(128+i).0/24
node_ip() { echo "10.$o.0.$((10 + $1))"; }
pod_cidr() { echo "10.$o.$((128 + $1)).0/24"; }
pod_gw() { echo "10.$o.$((128 + $1)).1"; }  # the node's address towards its pods: cni0, or each ptp host veth
node_ns() { echo "$p-node$1"; }
node_type() { if [ "$1" = "$nodes" ]; then echo ptp; else echo bridge; fi; }
pods_of() { if [ "$1" = 1 ] || [ "$1" = "$nodes" ]; then echo "a b"; else echo a; fi; }
pod_ns() { echo "$p-$1"; }                 # pods: n1a, n1b, n2a, ... (n<node><letter>)
pod_node() { local x=${1#n}; echo "${x%?}"; }

# warm mode: the launchers hand calls to the daemon at /run/jcni/<dist name>.sock (the dist's name is
# in lib/jcni-dist.properties) unless JCNI_WARM=off. The switch is JCNI_DEMO_WARM=auto; off by default
# because the daemon refuses callers of other network and mount namespaces (here every call comes
# from a node's), which then run cold anyway (docs/kubernetes-model.md, "Cold and warm").
dist_name=$(sed -n 's/^name=//p' "$dist/lib/jcni-dist.properties" 2>/dev/null | head -1 || true)
socket=${dist_name:+/run/jcni/$dist_name.sock}
if [ -n "$socket" ] && [ -S "$socket" ] && [ -x "$dist/lib/jcni-shim" ]; then daemon=yes; else daemon=no; fi
if [ "${JCNI_DEMO_WARM:-off}" = auto ] && [ "$daemon" = yes ]; then
  unset JCNI_WARM
  mode=warm; mode_detail="calls handed to the warm-mode daemon at $socket"
else
  export JCNI_WARM=off
  mode=cold
  if [ "$daemon" = yes ]; then
    mode_detail="a JVM per exec; a warm-mode daemon listens at $socket (JCNI_DEMO_WARM=auto uses it)"
  else
    mode_detail="a JVM per exec; no warm-mode daemon${socket:+ at $socket}"
  fi
fi

elapsed() { local ms=$(( ($(date +%s%N) - started) / 1000000 )); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
step() { printf '\n== %s   [%s]\n' "$*" "$(elapsed)"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
jcni_on() {   # jcni_on NODE ARGS...: the jcni CLI inside the node's namespace, with the node's config and cache
  local n=$1; shift
  in_ns "$(node_ns "$n")" env NETCONFPATH="$work/node$n/net.d" CNI_PATH="$cni_path" \
    "$bin/jcni" --cache-dir "$work/node$n/cache" --timeout 120 "$@"
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

echo "jcni cluster demo: $nodes nodes; namespaces $p-*; node network $node_net; cluster CIDR $cluster_cidr"
echo "plugins: $mode ($mode_detail)"
echo "work directory: $work"

# ---------------------------------------------------------------------------------------------------
step "underlay: namespace $p-underlay with bridge ul0"
ip netns add "$p-underlay"
ip -n "$p-underlay" link add ul0 type bridge
ip -n "$p-underlay" link set ul0 up

step "nodes"
for n in $(seq "$nodes"); do
  ns=$(node_ns "$n")
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # the node's eth0 is made in the node's namespace and its peer in the underlay's: none in the host's
  ip -n "$p-underlay" link add "node$n" type veth peer name eth0 netns "$ns"
  ip -n "$p-underlay" link set "node$n" master ul0 up
  ip -n "$ns" addr add "$(node_ip "$n")/24" dev eth0
  ip -n "$ns" link set eth0 up
  mkdir -p "$work/node$n/net.d" "$work/node$n/cache"
  if [ "$(node_type "$n")" = bridge ]; then
    main='"type": "bridge", "bridge": "cni0", "isGateway": true, "hairpinMode": true,'
  else
    main='"type": "ptp",'
  fi
  cat > "$work/node$n/net.d/10-$net.conflist" <<JSON
{
  "cniVersion": "1.1.0",
  "name": "$net",
  "plugins": [
    { $main
      "ipam": { "type": "host-local", "dataDir": "$work/node$n/ipam",
                "ranges": [[{ "subnet": "$(pod_cidr "$n")" }]], "routes": [{ "dst": "0.0.0.0/0" }] } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
  printf '%-6s %-13s pod CIDR %-16s %s\n' "node$n" "$(node_ip "$n")" "$(pod_cidr "$n")" "$(node_type "$n") + host-local + portmap"
done
echo
echo "host-gw routes (the cluster's network agent adds these, not CNI):"
for n in $(seq "$nodes"); do
  for m in $(seq "$nodes"); do
    [ "$m" = "$n" ] || ip -n "$(node_ns "$n")" route add "$(pod_cidr "$m")" via "$(node_ip "$m")" dev eth0
  done
  echo "  node$n: $(ip -n "$(node_ns "$n")" -4 route show | awk '$2 == "via" { printf "%s%s via %s", sep, $1, $3; sep = ", " }')"
done
echo
echo "node1's $work/node1/net.d/10-$net.conflist (node$nodes: \"type\": \"ptp\" in place of the bridge's keys):"
sed 's/^/  /' "$work/node1/net.d/10-$net.conflist"

# ---------------------------------------------------------------------------------------------------
# pods: a namespace with lo up (the runtime's part), jcni add inside the node, then the first container
pod_ip() { ip -n "$(pod_ns "$1")" -4 -o addr show dev eth0 | awk '{ split($4, a, "/"); print a[1] }'; }
container() {   # container POD NAME CMD...: a process with its own PID, UTS, IPC and mount namespaces in the pod's network namespace
  local pod=$1 name=$2; shift 2
  in_ns "$(pod_ns "$pod")" unshare --pid --uts --ipc --mount --fork --mount-proc \
    sh -c 'hostname "$0"; exec "$@"' "$name" "$@"
}
step "pods: jcni add, run inside the node's namespace"
printf '%-5s %-6s %-7s %-15s %-9s %s\n' pod node plugin address "ADD took" "port mapping"
pods=()
declare -A caps
for n in $(seq "$nodes"); do
  for x in $(pods_of "$n"); do
    pod=n$n$x
    ip netns add "$(pod_ns "$pod")"
    ip -n "$(pod_ns "$pod")" link set lo up
    # the runtime passes the same capability arguments (port mappings) to ADD and to DEL
    caps[$pod]=""
    [ "$x" = a ] && caps[$pod]="{\"portMappings\":[{\"hostPort\":$host_port,\"containerPort\":$app_port,\"protocol\":\"tcp\"}]}"
    t0=$(date +%s%N)
    CAP_ARGS=${caps[$pod]} jcni_on "$n" add "$net" "/run/netns/$(pod_ns "$pod")" > "$work/$pod.result.json"
    ms=$(ms_since "$t0")
    pods+=("$pod")
    printf '%-5s %-6s %-7s %-15s %6d ms %s\n' "$pod" "node$n" "$(node_type "$n")" "$(pod_ip "$pod")" "$ms" \
      "$([ -n "${caps[$pod]}" ] && echo "node$n:$host_port -> $app_port")"
    container "$pod" "$pod" sh "$work/echo-server.sh" "$pod" "$app_port" "$work/$pod.fifo" >/dev/null 2>&1 &
  done
done

# ---------------------------------------------------------------------------------------------------
# checks: each row is check|from|to|answer|ok or FAIL
rows=()
failed=0
row() { rows+=("$1|$2|$3|$4|$5"); [ "$5" = ok ] || failed=$((failed + 1)); }
verdict() { if [ "$1" = "$2" ]; then echo ok; else echo FAIL; fi; }
ask() {   # ask NS ADDR PORT: the line the server answered (retries while it starts or listens again)
  local attempt r
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    r=$(in_ns "$1" nc -n -w 2 "$2" "$3" </dev/null 2>/dev/null || true)
    [ -n "$r" ] && { echo "$r"; return; }
    sleep 0.3
  done
  echo "<no answer>"
}
pod_to_pod() {   # pod_to_pod CHECK SRC DST
  local src_ip dst_ip said
  src_ip=$(pod_ip "$2"); dst_ip=$(pod_ip "$3")
  said=$(ask "$(pod_ns "$2")" "$dst_ip" "$app_port")
  row "$1" "$2 $src_ip" "$3 $dst_ip:$app_port" "$said" "$(verdict "$said" "$3 saw $src_ip")"
}

step "checks"
pod_to_pod "pod to pod, same node (bridge)" n1b n1a
pod_to_pod "pod to pod, same node (ptp)" "n${nodes}b" "n${nodes}a"
for n in $(seq "$nodes"); do
  pod_to_pod "pod to pod across nodes, no NAT" "n${n}a" "n$((n % nodes + 1))a"
done
for n in $(seq "$nodes"); do
  said=""; expected=""; to=""
  for x in $(pods_of "$n"); do
    said="${said:+$said; }$(ask "$(node_ns "$n")" "$(pod_ip "n$n$x")" "$app_port")"
    expected="${expected:+$expected; }n$n$x saw $(pod_gw "$n")"
    to="${to:+$to, }n$n$x"
  done
  row "node to its own pods" "node$n" "$to" "$said" "$(verdict "$said" "$expected")"
done
for n in $(seq "$nodes"); do
  m=$((n % nodes + 1))
  said=$(ask "$(node_ns "$m")" "$(node_ip "$n")" "$host_port")
  row "hostPort from another node" "node$m $(node_ip "$m")" "node$n $(node_ip "$n"):$host_port" "$said" \
    "$(verdict "$said" "n${n}a saw $(node_ip "$m")")"
done
# pod n1a's second container: another process, with its own PID and UTS namespaces, in the pod's network namespace
said=$(container n1a sidecar sh -c 'nc -n -w 2 127.0.0.1 "$0" </dev/null 2>/dev/null; true' "$app_port")
row "two containers of one pod" "n1a: sidecar" "n1a: n1a 127.0.0.1:$app_port" "$said" "$(verdict "$said" "n1a saw 127.0.0.1")"
echo "${#rows[@]} checks done"
pause() { [ -z "${JCNI_DEMO_PAUSE:-}" ] || "$JCNI_DEMO_PAUSE" "$1"; }
pause attached

# ---------------------------------------------------------------------------------------------------
# removal: stop each pod's containers, jcni del inside its node, delete the pod's namespace
step "removal: jcni del, run inside the node's namespace"
for pod in "${pods[@]}"; do
  pids=$(ip netns pids "$(pod_ns "$pod")")
  [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
done
wait 2>/dev/null || true
for pod in "${pods[@]}"; do
  n=$(pod_node "$pod")
  t0=$(date +%s%N)
  CAP_ARGS=${caps[$pod]} jcni_on "$n" del "$net" "/run/netns/$(pod_ns "$pod")"
  printf '%-5s DEL took %6d ms\n' "$pod" "$(ms_since "$t0")"
  ip netns del "$(pod_ns "$pod")"
done
ids=()   # the container ids jcni derived from the netns paths (as cnitool does): firewall rules carry them
for pod in "${pods[@]}"; do
  ids+=("cnitool-$(printf '%s' "/run/netns/$(pod_ns "$pod")" | sha512sum | cut -c1-20)")
done
count() { if [ -z "$1" ]; then echo 0; else wc -l <<<"$1"; fi; }
naming() { local i; for i in "${ids[@]}"; do grep -F -e "$i" <<<"$1" || true; done; }
leftovers=""
for n in $(seq "$nodes"); do
  ns=$(node_ns "$n")
  veths=$(ip -n "$ns" -o link show type veth | awk -F': ' '{ sub(/@.*/, "", $2); if ($2 != "eth0") print $2 }')
  reservations=$(find "$work/node$n/ipam" -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null)
  rules=$(naming "$(in_ns "$ns" iptables-save 2>/dev/null; in_ns "$ns" ip6tables-save 2>/dev/null; in_ns "$ns" nft list ruleset 2>/dev/null)")
  cache=$(find "$work/node$n/cache" -type f 2>/dev/null)
  row "removal leaves the node clean" "node$n" "$(node_type "$n") node" \
    "veths $(count "$veths"), reservations $(count "$reservations"), rules $(count "$rules"), cache entries $(count "$cache")" \
    "$(verdict "$veths$reservations$rules$cache" "")"
  [ -z "$veths$reservations$rules$cache" ] || leftovers+=$'\n'"node$n:"$'\n'"$veths$reservations$rules$cache"
done
# the host's own namespace: no route to the demo's subnets, no rule naming its containers
host_routes=$(ip -4 route show table all | grep -E "(^| )10\.$o\.(0|1(29|3[0-7]))\." || true)
host_rules=$(naming "$(iptables-save 2>/dev/null; ip6tables-save 2>/dev/null; nft list ruleset 2>/dev/null)")
row "host namespace untouched" "host" "-" "routes to the demo's subnets $(count "$host_routes"), rules naming its pods $(count "$host_rules")" \
  "$(verdict "$host_routes$host_rules" "")"
[ -z "$host_routes$host_rules" ] || leftovers+=$'\n'"host:"$'\n'"$host_routes$host_rules"
pause removed

# ---------------------------------------------------------------------------------------------------
step "results"
{
  echo "check|from|to|answer|result"
  for r in "${rows[@]}"; do echo "$r"; done
} | awk -F'|' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
  END { for (r = 1; r <= NR; r++) { line = ""; for (i = 1; i < NF; i++) line = line sprintf("%-" w[i] "s  ", cell[r, i]); print line cell[r, NF] } }'
[ -z "$leftovers" ] || printf '\nleft behind:%s\n' "$leftovers"
echo
echo "demo took $(elapsed) ($nodes nodes, ${#pods[@]} pods, plugins $mode); removing its namespaces"
if [ "$failed" != 0 ]; then echo "cluster demo: $failed of ${#rows[@]} checks failed" >&2; exit 1; fi
