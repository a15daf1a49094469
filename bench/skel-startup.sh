#!/usr/bin/env bash
# Start-up cost of a do-nothing plugin on jcni's skel, against a bare `java` hello world, measured
# in the same run with hyperfine (apt-get install hyperfine). Prints medians and ratios.
#
#   bench/skel-startup.sh [runs]        (default 30 runs each, after 3 warm-ups)
#
# Cases: hello world; the noop example plugin answering VERSION and ADD; the same ADD with an
# AppCDS archive made by a training run (what the reference plugins' launchers do).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
java=${JAVA:-java}
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# the reactor builds cni-sdk too; the last module to write cp.txt is docs/examples
mvn -B -q -pl docs/examples -am package dependency:build-classpath -DskipTests -Dmdep.includeScope=runtime -Dmdep.outputFile="$work/cp.txt" >/dev/null
# jars only: class-data sharing refuses directories on the class path
cp="$(ls docs/examples/target/jcni-examples-*.jar | head -1):$(cat "$work/cp.txt")"

cat > "$work/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] a) { System.out.println("hello"); } }
JAVA
javac -d "$work" "$work/Hello.java"

conf='{"cniVersion":"1.1.0","name":"bench","type":"noop"}'
printf '%s' "$conf" > "$work/conf.json"
export CNI_CONTAINERID=bench CNI_NETNS=/run/netns/bench CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin
add="CNI_COMMAND=ADD $java -cp $cp dev.jcni.examples.NoopPlugin < $work/conf.json"
version="CNI_COMMAND=VERSION $java -cp $cp dev.jcni.examples.NoopPlugin < $work/conf.json"
# training run for the CDS archive (dynamic archive, JDK 13+)
CNI_COMMAND=ADD $java -XX:ArchiveClassesAtExit="$work/noop.jsa" -Xlog:disable -cp "$cp" dev.jcni.examples.NoopPlugin < "$work/conf.json" >/dev/null
addcds="CNI_COMMAND=ADD $java -XX:SharedArchiveFile=$work/noop.jsa -Xlog:disable -Xshare:auto -cp $cp dev.jcni.examples.NoopPlugin < $work/conf.json"
hellocds="$java -Xshare:auto -cp $work Hello"

hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$work/h.json" \
  -n hello "$java -cp $work Hello" >/dev/null 2>&1 || true
hyperfine --style none --warmup 3 --runs "$runs" --export-json "$work/p.json" \
  -n version "$version" -n add "$add" -n add-appcds "$addcds" >/dev/null 2>&1

python3 - "$work/h.json" "$work/p.json" "$java" <<'PY'
import json, sys, statistics, subprocess
rows = []
for f in sys.argv[1:3]:
    for r in json.load(open(f))["results"]:
        rows.append((r["command"], statistics.median(r["times"]) * 1000, min(r["times"]) * 1000))
hello = rows[0][1]
jv = subprocess.run([sys.argv[3], "-version"], capture_output=True, text=True).stderr.splitlines()[0]
print(f"JVM: {jv}")
print(f"{'case':<12} {'median ms':>10} {'min ms':>8} {'x hello':>8}")
for name, med, mn in rows:
    print(f"{name:<12} {med:>10.1f} {mn:>8.1f} {med / hello:>8.2f}")
PY
