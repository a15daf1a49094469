# Sourced by bench/warm.sh and bench/warm-soak.sh (bash): the packaged reference distribution
# (plugins-reference/target/cni, made by jcni package) and its warm-mode daemon, started with
# lib/jcni-daemon on /run/jcni/reference.sock as the unit starts it (it refuses to start when a
# daemon already serves that socket). Checks root and the build; makes $work (a temporary
# directory), $ns (a network namespace) and $br (a bridge name), all removed on exit with the
# daemon. Sets: cni, bin (launchers), shim, sock, dist_id, daemon_pid. The daemon's stderr goes to
# $work/daemon.log. WARM_DAEMON_ARGS (e.g. "--max-calls 4") and JCNI_JAVA_OPTS (the daemon's extra
# JVM options) try other settings.
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
shim=$cni/lib/jcni-shim
dist_name=$(sed -n 's/^name=//p' "$cni/lib/jcni-dist.properties")
dist_id=$(sed -n 's/^id=//p' "$cni/lib/jcni-dist.properties")
sock=/run/jcni/$dist_name.sock
# shellcheck disable=SC2086
"$cni/lib/jcni-daemon" ${WARM_DAEMON_ARGS:-} 2> "$work/daemon.log" &
daemon_pid=$!
for _ in $(seq 600); do grep -q "serving dist" "$work/daemon.log" 2>/dev/null && break; kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
grep -q "serving dist" "$work/daemon.log" || { cat "$work/daemon.log" >&2; echo "the daemon did not start" >&2; exit 1; }
