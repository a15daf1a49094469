# Sourced by bench/warm.sh and bench/warm-soak.sh (bash): the warm-mode distribution and its daemon.
# Checks root, gcc and the build; makes $work (a temporary directory), $ns (a network namespace) and
# $br (a bridge name), all removed on exit with the daemon. Sets: cni, bin (launchers), shim, sock,
# dist_id, daemon_pid, which_dist, java, jvm_opts. The daemon's stderr goes to $work/daemon.log. When the packaged distribution has lib/jcni-shim, lib/jcni-daemon and
# lib/jcni-dist.properties it is used as it is (its daemon on /run/jcni/<dist>.sock); otherwise a
# distribution is made in $work from its jars, the way the hand-over contract says.
cni=$PWD/plugins-reference/target/cni
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
command -v gcc >/dev/null || { echo "needs gcc" >&2; exit 2; }
[ -d "$cni/lib" ] || { echo "build first: mvn -B -pl plugins-reference -am package -DskipTests" >&2; exit 2; }
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
ip netns add "$ns"

# the unit template's JVM options; WARM_JVM_OPTS and WARM_DAEMON_ARGS (e.g. --max-calls 4) to try others
jvm_opts=${WARM_JVM_OPTS:-"-Xms16m -Xmx96m -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m -XX:+ExitOnOutOfMemoryError"}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
# ---------------------------------------------------------------- the warm distribution
if [ -x "$cni/lib/jcni-shim" ] && [ -x "$cni/lib/jcni-daemon" ] && [ -f "$cni/lib/jcni-dist.properties" ]; then
  bin=$cni/bin
  shim=$cni/lib/jcni-shim
  dist_name=$(sed -n 's/^name=//p' "$cni/lib/jcni-dist.properties")
  dist_id=$(sed -n 's/^id=//p' "$cni/lib/jcni-dist.properties")
  sock=/run/jcni/$dist_name.sock
  JCNI_JAVA_OPTS=$jvm_opts "$cni/lib/jcni-daemon" --dist "$cni/lib/jcni-dist.properties" ${WARM_DAEMON_ARGS:-} 2> "$work/daemon.log" &
  daemon_pid=$!
  which_dist="packaged ($cni)"
else
  d=$work/dist
  mkdir -p "$d/bin" "$d/lib" "$d/run"
  chmod 700 "$d/run"
  ln -s "$cni"/lib/*.jar "$d/lib/"
  [ -d "$cni/lib/jni" ] && ln -s "$cni/lib/jni" "$d/lib/jni"
  gcc -O2 -Wall -Wextra -Werror -o "$d/lib/jcni-shim" cni-sdk/src/main/resources/dev/jcni/sdk/internal/warm/jcni-shim.c
  dist_name=bench
  dist_id=bench$$
  sock=$d/run/bench.sock
  shim=$d/lib/jcni-shim
  cp=$(ls "$d"/lib/*.jar | tr '\n' ':')
  printf 'name=%s\nid=%s\n' "$dist_name" "$dist_id" > "$d/lib/jcni-dist.properties"
  for p in bridge:dev.jcni.plugins.bridge.Bridge ptp:dev.jcni.plugins.ptp.Ptp host-local:dev.jcni.plugins.hostlocal.HostLocal; do
    name=${p%%:*}; main=${p#*:}
    echo "plugin.$name=$main" >> "$d/lib/jcni-dist.properties"
    cat > "$d/bin/$name" <<SH
#!/bin/sh
# jcni-launcher dist=$dist_name id=$dist_id main=$main
sock=$sock
lib=$d/lib
if [ "\${1:-}" = --jcni-cold ]; then shift
elif [ -S "\$sock" ] && [ -x "\$lib/jcni-shim" ] && [ "\${JCNI_WARM:-}" != off ]; then exec "\$lib/jcni-shim" "\$sock" $dist_id $name "\$0" "\$@"; fi
exec $java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xss512k -Djcni.jffi.library.path=$d/lib/jni -cp $cp $main "\$@"
SH
    chmod +x "$d/bin/$name"
  done
  bin=$d/bin
  # shellcheck disable=SC2086
  # as a launcher starts it: the launcher's options, then JCNI_JAVA_OPTS (the unit's)
  $java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xss512k $jvm_opts -Djcni.jffi.library.path="$d/lib/jni" \
    -cp "$cp" dev.jcni.sdk.internal.warm.Daemon --dist "$d/lib/jcni-dist.properties" --socket "$sock" ${WARM_DAEMON_ARGS:-} 2> "$work/daemon.log" &
  daemon_pid=$!
  which_dist="made here from $cni/lib (contract-shaped launchers)"
fi
for _ in $(seq 300); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { cat "$work/daemon.log" >&2; echo "the daemon did not start" >&2; exit 1; }
