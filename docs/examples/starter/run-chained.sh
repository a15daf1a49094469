#!/bin/sh
# Runs this project's packaged plugin (target/cni, made by `mvn package`; its name is read from there) as
# a runtime would: VERSION,
# then ADD, CHECK and DEL of a configuration list in which it follows jcni's ptp + host-local, through
# the `jcni` command, on a network namespace of its own. Root; leaves nothing behind.
#
#   sudo ./run-chained.sh [--reference DIR]
#
# DIR holds jcni's reference plugins and the jcni command (ptp, host-local, jcni): /opt/cni/bin after
# jcni's install.sh (the default), or plugins-reference/target/cni/bin in a jcni build.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
reference=/opt/cni/bin
while [ $# -gt 0 ]; do
  case $1 in
    --reference) reference=$2; shift 2 ;;
    *) echo "usage: $0 [--reference DIR]" >&2; exit 2 ;;
  esac
done
plugin_bin=$here/target/cni/bin
[ "$(id -u)" = 0 ] || { echo "run-chained.sh: needs root (network namespaces)" >&2; exit 2; }
dist=$here/target/cni/lib/jcni-dist.properties
[ -f "$dist" ] || { echo "run-chained.sh: build first: mvn package (no $dist)" >&2; exit 2; }
plugin=$(sed -n 's/^plugin\.\([^=]*\)=.*/\1/p' "$dist" | head -n 1)
[ -n "$plugin" ] && [ -x "$plugin_bin/$plugin" ] || { echo "run-chained.sh: no plugin in $dist" >&2; exit 2; }
for p in ptp host-local jcni; do
  [ -x "$reference/$p" ] || { echo "run-chained.sh: no $p in $reference (--reference DIR)" >&2; exit 2; }
done

# Unique names: other tests may run on this machine at the same time.
tag=$$$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
ns=starter$tag
net=starter$tag
subnet=10.$((200 + tag % 50)).$((tag / 50 % 250)).0/24
work=$(mktemp -d)
added=
cleanup() {
  if [ -n "$added" ]; then
    NETCONFPATH=$work/net.d CNI_PATH=$plugin_bin:$reference "$reference/jcni" --cache-dir "$work/cache" \
      del "$net" "/run/netns/$ns" >/dev/null 2>&1 || :
  fi
  ip netns del "$ns" 2>/dev/null || :
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

step() { printf '%-60s' "$1"; }
ok() { echo "ok${1:+ ($1)}"; }
fail() { echo "FAILED"; echo "$1" >&2; exit 1; }

step "VERSION"
out=$(echo '{"cniVersion":"1.1.0"}' | env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND=VERSION "$plugin_bin/$plugin")
echo "$out" | grep -q '"supportedVersions"' || fail "$out"
ok

ip netns add "$ns"
mkdir -p "$work/net.d"
cat > "$work/net.d/10-$net.conflist" <<JSON
{ "cniVersion": "1.1.0", "name": "$net",
  "plugins": [
    { "type": "ptp", "ipam": { "type": "host-local", "dataDir": "$work/ipam", "ranges": [[{ "subnet": "$subnet" }]] } },
    { "type": "$plugin", "sysctl": { "net.ipv4.conf.{ifname}.arp_notify": "1" } } ] }
JSON
jcni() {
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin NETCONFPATH="$work/net.d" CNI_PATH="$plugin_bin:$reference" \
    "$reference/jcni" --cache-dir "$work/cache" "$@" "$net" "/run/netns/$ns"
}

step "ADD: ptp + host-local + $plugin ($subnet)"
added=yes
out=$(jcni add 2>"$work/add.err") || fail "$out $(cat "$work/add.err")"
echo "$out" | grep -q '"address"' || fail "no address in the result: $out"
value=$(ip netns exec "$ns" cat /proc/sys/net/ipv4/conf/eth0/arp_notify)
[ "$value" = 1 ] || fail "arp_notify of eth0 in the container is $value, want 1"
ok "eth0 $(echo "$out" | sed -n 's/.*"address": "\([^"]*\)".*/\1/p' | head -1), arp_notify=1"

step "CHECK"
out=$(jcni check 2>&1) || fail "$out"
ok

step "CHECK after the sysctl was changed behind the plugin's back"
ip netns exec "$ns" sh -c 'echo 0 > /proc/sys/net/ipv4/conf/eth0/arp_notify'
if out=$(jcni check 2>&1); then fail "CHECK passed"; fi
echo "$out" | grep -q 'arp_notify is 0, want 1' || fail "$out"
ok "fails: arp_notify is 0, want 1"

step "DEL"
out=$(jcni del 2>&1) || fail "$out"
added=
if ip netns exec "$ns" ip link show eth0 >/dev/null 2>&1; then fail "eth0 is still in the container"; fi
ok "eth0 gone"
echo "run-chained.sh: all passed"
