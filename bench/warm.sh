#!/usr/bin/env bash
# Warm mode against the Go reference plugins (/usr/lib/cni), in ONE run, interleaved: hyperfine
# rounds alternate the order of Go and jcni, and the medians are taken over every round. Rows:
#   VERSION (bridge), through the launcher and straight through jcni-shim (the shim's own cost)
#   host-local ADD, host-local DEL (each timed alone; the other verb is hyperfine's --prepare)
#   bridge+host-local ADD+DEL with ipMasq, ptp+host-local ADD+DEL (the delegate is exec'd by the plugin)
#   50 parallel host-local ADDs (a fresh store each time)
# plus cold rows (JCNI_WARM=off, fewer runs) and the daemon's RSS at the end. Root only: it makes a
# namespace and a bridge of its own (10.232.0.0/24) and removes them.
#
#   bench/warm.sh [runs per round] [rounds] [rows]     (default 20, 3, every row; rows: a grep -E pattern)
#   WARM_NO_COLD=1 leaves the cold rows out.
#
# Needs target/cni (mvn -B -pl plugins-reference -am package -DskipTests, with gcc for the shim),
# hyperfine, jq, gcc. The daemon is the distribution's, started with lib/jcni-daemon on
# /run/jcni/reference.sock (see bench/warm-dist.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
rounds=${2:-3}
only=${3:-}
cold_runs=$(( runs / 4 > 3 ? runs / 4 : 3 ))
go=/usr/lib/cni
for t in hyperfine jq gcc; do command -v $t >/dev/null || { echo "needs $t" >&2; exit 2; }; done
# checks, a work directory, a namespace ($ns) and bridge name ($br) removed on exit, the packaged
# distribution and its daemon: sets cni, bin, shim, sock, dist_id, daemon_pid
. bench/warm-dist.sh

# stdin-from FILE PROG...: stdin from a file, then exec (hyperfine -N cannot redirect; costs both sides the same)
cat > "$work/stdin-from.c" <<'C'
#include <fcntl.h>
#include <unistd.h>
int main(int c, char **v) { int fd = open(v[1], O_RDONLY); if (fd < 0 || dup2(fd, 0) < 0) return 127; execv(v[2], v + 2); return 127; }
C
gcc -O2 -o "$work/stdin-from" "$work/stdin-from.c"
in=$work/stdin-from

printf '{"cniVersion":"1.0.0"}' > "$work/version.json"
ipam() { printf '"ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"%s"}]]}' "$1" "$2"; }
printf '{"cniVersion":"1.0.0","name":"jcniwarmhl",%s}' "$(ipam "$work/ipam-go" 10.232.1.0/24)" > "$work/hl-go.json"
printf '{"cniVersion":"1.0.0","name":"jcniwarmhl",%s}' "$(ipam "$work/ipam-jcni" 10.232.1.0/24)" > "$work/hl-jcni.json"
printf '{"cniVersion":"1.0.0","name":"jcniwarmbr","type":"bridge","bridge":"%s","isGateway":true,"ipMasq":true,%s}' \
  "$br" "$(ipam "$work/ipam-br" 10.232.0.0/24)" > "$work/bridge.json"
printf '{"cniVersion":"1.0.0","name":"jcniwarmptp","type":"ptp",%s}' "$(ipam "$work/ipam-ptp" 10.232.2.0/24)" > "$work/ptp.json"
printf '{"cniVersion":"1.0.0","name":"jcniwarm50",%s}' "$(ipam "$work/ipam50-go" 10.232.4.0/24)" > "$work/p50-go.json"
printf '{"cniVersion":"1.0.0","name":"jcniwarm50",%s}' "$(ipam "$work/ipam50-jcni" 10.232.4.0/24)" > "$work/p50-jcni.json"
# the same with the stores on tmpfs: jcni's host-local syncs each reservation to disk (Go's does not);
# these rows show what is left without the disk
shm=$(mktemp -d -p /dev/shm jcni-warm.XXXXXX)
trap 'rm -rf "$shm"; cleanup' EXIT
printf '{"cniVersion":"1.0.0","name":"jcniwarmhl",%s}' "$(ipam "$shm/ipam-go" 10.232.1.0/24)" > "$work/hl-go-shm.json"
printf '{"cniVersion":"1.0.0","name":"jcniwarmhl",%s}' "$(ipam "$shm/ipam-jcni" 10.232.1.0/24)" > "$work/hl-jcni-shm.json"
printf '{"cniVersion":"1.0.0","name":"jcniwarm50",%s}' "$(ipam "$shm/ipam50-go" 10.232.4.0/24)" > "$work/p50-go-shm.json"
printf '{"cniVersion":"1.0.0","name":"jcniwarm50",%s}' "$(ipam "$shm/ipam50-jcni" 10.232.4.0/24)" > "$work/p50-jcni-shm.json"

E="env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_CONTAINERID=bench CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0"
# one cycle: ADD then DEL of a plugin, as a runtime runs them
cat > "$work/cycle.sh" <<SH
#!/bin/sh
# \$1 plugin, \$2 config, \$3 CNI_PATH
set -e
$E CNI_COMMAND=ADD CNI_PATH=\$3 JCNI_WARM=\${JCNI_WARM:-} "\$1" < "\$2" > /dev/null
$E CNI_COMMAND=DEL CNI_PATH=\$3 JCNI_WARM=\${JCNI_WARM:-} "\$1" < "\$2" > /dev/null
SH
# n parallel ADDs of host-local, distinct container ids
cat > "$work/par.sh" <<SH
#!/bin/sh
# \$1 host-local, \$2 config, \$3 n
i=0
while [ \$i -lt \$3 ]; do
  env -i PATH=/usr/bin:/bin JCNI_WARM=\${JCNI_WARM:-} CNI_COMMAND=ADD CNI_CONTAINERID=p\$i CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 "\$1" < "\$2" > /dev/null &
  i=\$((i + 1))
done
wait
SH
# hyperfine --prepare for host-local: \$1 plugin, \$2 config, then the verbs to run (errors ignored)
cat > "$work/hl-prep.sh" <<SH
#!/bin/sh
p=\$1; c=\$2; shift 2
for v in "\$@"; do $E CNI_PATH=/opt/cni/bin CNI_COMMAND=\$v "\$p" < "\$c" > /dev/null 2>&1 || true; done
SH
chmod +x "$work/cycle.sh" "$work/par.sh" "$work/hl-prep.sh"

# ---------------------------------------------------------------- rows: name|go command|jcni command|prepare go|prepare jcni
hl_env="$E CNI_PATH=/opt/cni/bin"
rows=(
  "VERSION bridge|$E CNI_COMMAND=VERSION $in $work/version.json $go/bridge|$E CNI_COMMAND=VERSION $in $work/version.json $bin/bridge||"
  "VERSION bridge, shim alone|$E CNI_COMMAND=VERSION $in $work/version.json $go/bridge|$E CNI_COMMAND=VERSION $in $work/version.json $shim $sock $dist_id bridge $bin/bridge||"
  "host-local ADD|$hl_env CNI_COMMAND=ADD $in $work/hl-go.json $go/host-local|$hl_env CNI_COMMAND=ADD $in $work/hl-jcni.json $bin/host-local|$work/hl-prep.sh $go/host-local $work/hl-go.json DEL|$work/hl-prep.sh $bin/host-local $work/hl-jcni.json DEL"
  "host-local DEL|$hl_env CNI_COMMAND=DEL $in $work/hl-go.json $go/host-local|$hl_env CNI_COMMAND=DEL $in $work/hl-jcni.json $bin/host-local|$work/hl-prep.sh $go/host-local $work/hl-go.json DEL ADD|$work/hl-prep.sh $bin/host-local $work/hl-jcni.json DEL ADD"
  "bridge+host-local ADD+DEL, ipMasq|$work/cycle.sh $go/bridge $work/bridge.json $go|$work/cycle.sh $bin/bridge $work/bridge.json $bin||"
  "ptp+host-local ADD+DEL|$work/cycle.sh $go/ptp $work/ptp.json $go|$work/cycle.sh $bin/ptp $work/ptp.json $bin||"
  "50 parallel host-local ADDs|$work/par.sh $go/host-local $work/p50-go.json 50|$work/par.sh $bin/host-local $work/p50-jcni.json 50|rm -rf $work/ipam50-go|rm -rf $work/ipam50-jcni"
  "host-local ADD, store on tmpfs|$hl_env CNI_COMMAND=ADD $in $work/hl-go-shm.json $go/host-local|$hl_env CNI_COMMAND=ADD $in $work/hl-jcni-shm.json $bin/host-local|$work/hl-prep.sh $go/host-local $work/hl-go-shm.json DEL|$work/hl-prep.sh $bin/host-local $work/hl-jcni-shm.json DEL"
  "50 parallel ADDs, store on tmpfs|$work/par.sh $go/host-local $work/p50-go-shm.json 50|$work/par.sh $bin/host-local $work/p50-jcni-shm.json 50|rm -rf $shm/ipam50-go|rm -rf $shm/ipam50-jcni"
)

times_of() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .times[]' "$1"; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) { print "nan"; exit } m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; print m * 1000 }'; }
spread() { sort -g | awk '{ a[NR] = $1 } END { if (NR < 4) { print "-"; exit } printf "%.1f-%.1f", a[int(NR / 4) + 1] * 1000, a[int(3 * NR / 4)] * 1000 }'; }

echo "jcni warm mode vs Go, $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "daemon: $(readlink "/proc/$daemon_pid/exe") $(tr '\0' ' ' < "/proc/$daemon_pid/cmdline" | grep -o -- ' -X[^ ]*' | tr -d '\n')"
echo "distribution: $cni (id $dist_id); the Go plugins: $go"
echo "$runs runs x $rounds rounds per row (go and jcni interleaved by round), cold rows $cold_runs runs"
printf '\n%-36s %10s %14s %10s %14s %8s %10s\n' "row (ms)" "go median" "go IQR" "warm med." "warm IQR" "warm/go" "cold med."
for row in "${rows[@]}"; do
  IFS='|' read -r name gocmd jcmd gprep jprep <<< "$row"
  [ -z "$only" ] || echo "$name" | grep -qE -- "$only" || continue
  : > "$work/go.t"; : > "$work/warm.t"
  for r in $(seq "$rounds"); do
    if [ -n "$gprep" ]; then
      # a --prepare applies to every command of a hyperfine run: Go and jcni each get their own run
      for who in $( [ $((r % 2)) = 1 ] && echo "go warm" || echo "warm go"); do
        if [ "$who" = go ]; then cmd=$gocmd; prep=$gprep; else cmd=$jcmd; prep=$jprep; fi
        hyperfine -N -i --runs "$runs" --warmup 2 --prepare "$prep" --export-json "$work/h.json" -n "$who" "$cmd" > /dev/null 2>&1
        times_of "$work/h.json" "$who" >> "$work/$who.t"
      done
    else
      if [ $((r % 2)) = 1 ]; then set -- -n go "$gocmd" -n warm "$jcmd"; else set -- -n warm "$jcmd" -n go "$gocmd"; fi
      hyperfine -N -i --runs "$runs" --warmup 2 --export-json "$work/h.json" "$@" > /dev/null 2>&1
      times_of "$work/h.json" go >> "$work/go.t"
      times_of "$work/h.json" warm >> "$work/warm.t"
    fi
  done
  cold=-
  if [ -z "${WARM_NO_COLD:-}" ] && [[ $name != *"shim alone"* ]]; then
    coldcmd="env JCNI_WARM=off ${jcmd/env -i /env -i JCNI_WARM=off }"
    hyperfine -N -i --runs "$cold_runs" --warmup 1 ${jprep:+--prepare "$jprep"} --export-json "$work/c.json" \
      -n cold "$coldcmd" > /dev/null 2>&1 && cold=$(times_of "$work/c.json" cold | median | xargs printf "%.1f")
  fi
  g=$(median < "$work/go.t"); w=$(median < "$work/warm.t")
  printf '%-36s %10.1f %14s %10.1f %14s %8.2f %10s\n' "$name" "$g" "$(spread < "$work/go.t")" "$w" "$(spread < "$work/warm.t")" \
    "$(awk -v a="$w" -v b="$g" 'BEGIN { print a / b }')" "$cold"
done

rss=$(awk '/VmRSS/ { print $2 }' "/proc/$daemon_pid/status")
echo
echo "daemon: pid $daemon_pid, RSS $((rss / 1024)) MiB after the run"
