#!/usr/bin/env bash
# The reliability suites at the issue's full sizes (not run by CI; docs/reliability.md):
#   ConcurrencyIT  200 parallel host-local ADD processes; 1,000 mixed ADD/DEL operations from 20 workers
#                  (in-process and through the executables)
#   CrashIT        100 kill -9 trials per plugin (bridge, ptp, portmap, host-local)
#   GeneratedBadInputIT  10,000 generated bad inputs in-process (2,500 per plugin), 200 through the executables
#   OddCallsIT     every partial teardown with both bridge and ptp
#   DamageIT, FullDiskIT, HostileNamesIT  as in CI
# -Djcni.soak=true selects the full sizes (Calls.size); any one size can be set with
# -Djcni.reliability.<name>=N (parallelAdds, mixedOps, mixedOpsInProcess, crashTrials, badInputExec).
#
#   bench/reliability-soak.sh [cold|warm|both]      (default both; root; takes hours on a loaded 2-core machine)
#
# cold: every plugin call is a cold exec (JCNI_WARM=off); the reactor builds and packages the
# distribution first (mvn verify, never install). warm: the same suites with -Djcni.test.warm=true
# through the distribution's warm-mode daemon, started here as the systemd unit starts it (the
# distribution is not packaged again, so the daemon's dist id stays the launchers'). The figures
# (lines starting with "reliability:") are printed at the end of each run and kept in
# target/reliability-soak-<mode>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-both}
case $mode in cold|warm|both) ;; *) echo "usage: $0 [cold|warm|both]" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "needs root (namespaces, iptables, nft, tmpfs)" >&2; exit 2; }
mkdir -p target
its='dev.jcni.plugins.reliability.*IT'
common=(-B -o -Djcni.soak=true "-Dit.test=$its" -Dfailsafe.failIfNoSpecifiedTests=false)

figures() {  # $1 = mode: the figures of the run just made
  local out=target/reliability-soak-$1.txt
  { echo "reliability soak, $1, $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    cat plugins-reference/target/failsafe-reports/dev.jcni.plugins.reliability.*-output.txt 2>/dev/null | grep '^reliability:' || true
    grep -h -o '<testsuite [^>]*name="dev.jcni.plugins.reliability[^"]*"[^>]*' plugins-reference/target/failsafe-reports/TEST-*.xml \
      | sed -E 's/.*name="([^"]*)" time="([^"]*)" tests="([^"]*)" errors="([^"]*)" skipped="([^"]*)" failures="([^"]*)".*/\1: \3 tests, \6 failures, \4 errors, \5 skipped, \2 s/' || true
  } | tee "$out"
}

if [ "$mode" != warm ]; then
  start=$(date +%s)
  echo "== cold: mvn verify (reactor, package, the reliability ITs at soak sizes)"
  mvn "${common[@]}" -pl plugins-reference -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
  echo "cold run: $(( $(date +%s) - start )) s wall"
  figures cold
fi

if [ "$mode" != cold ]; then
  # the packaged distribution's warm-mode daemon, started as the systemd unit starts it; stopped on exit
  cni=plugins-reference/target/cni
  sock=/run/jcni/$(sed -n 's/^name=//p' "$cni/lib/jcni-dist.properties").sock
  log=target/reliability-soak-daemon.log
  # debug: the daemon logs each call it served; the tests count those lines (Calls.requireMode, Calls.Served)
  JCNI_LOG_LEVEL=debug "$cni/lib/jcni-daemon" 2> "$log" &
  daemon_pid=$!
  trap 'kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 600); do grep -q "serving dist" "$log" && break; kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
  grep -q "serving dist" "$log" || { cat "$log" >&2; echo "the daemon did not start" >&2; exit 1; }
  start=$(date +%s)
  echo "== warm: the same ITs through the daemon on $sock (no re-packaging)"
  mvn "${common[@]}" -pl plugins-reference -am test-compile failsafe:integration-test failsafe:verify -Djcni.test.warm=true \
    "-Djcni.test.daemonLog=$PWD/$log"
  echo "warm run: $(( $(date +%s) - start )) s wall"
  figures warm
fi
