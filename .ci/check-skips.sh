#!/bin/sh
# Counts the skipped tests in a module's surefire and failsafe reports and fails when any was skipped
# for another reason than a missing kernel feature (dev.jcni.sdk.testsupport.MissingKernelFeature,
# raised on the kernel's EOPNOTSUPP). Run by the ci profile (CI=true) in the verify phase.
# Usage: check-skips.sh <module target directory>
set -eu
target=$1
allowed='<skipped type="dev.jcni.sdk.testsupport.MissingKernelFeature"'
total=0
features=0
for report in "$target"/surefire-reports/TEST-*.xml "$target"/failsafe-reports/TEST-*.xml; do
  [ -f "$report" ] || continue
  # one <skipped> per skipped test case: an aborted one (type=...), a disabled one (message=...)
  n=$(grep -o '<skipped[ />]' "$report" | wc -l)
  [ "$n" -gt 0 ] || continue
  ok=$(grep -o "$allowed" "$report" | wc -l)
  total=$((total + n))
  features=$((features + ok))
  if [ "$ok" -ne "$n" ]; then
    echo "check-skips: $report: $((n - ok)) test(s) skipped for another reason than a missing kernel feature:" >&2
    grep -o '<skipped[^>]*>' "$report" | grep -v "$allowed" >&2 || true
  fi
done
module=$(basename "$(dirname "$target")")
echo "check-skips: $module: $total skipped, $features of them for a missing kernel feature"
cat "$target"/surefire-reports/TEST-*.xml "$target"/failsafe-reports/TEST-*.xml 2>/dev/null \
  | grep -o 'MissingKernelFeature: this kernel lacks [^(]*' | sed 's/.*this kernel lacks /  missing: /' | sort | uniq -c || true
[ "$total" -eq "$features" ]
