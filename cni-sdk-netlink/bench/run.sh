#!/usr/bin/env bash
# Benchmark of cni-sdk-netlink (run as root; not part of `mvn verify`):
#   first-call cost (native library load + first netlink round trip) in fresh JVMs,
#   steady-state ops/s of veth pair create + lookup + address add + delete in a temporary netns,
#   and the same through `ip` for comparison.
# Usage: cni-sdk-netlink/bench/run.sh [all | first-median [runs] | steady [seconds]]
# A pre-extracted native library (JCNI_NATIVE_DIR, see docs/netlink.md) is honoured by the child JVMs.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -pl cni-sdk-netlink -am -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="$(cat cni-sdk-netlink/target/bench.classpath):cni-sdk-netlink/target/classes:cni-sdk-netlink/target/test-classes"
exec java -cp "$cp" dev.jcni.netlink.bench.VethBenchmark "${@:-all}"
