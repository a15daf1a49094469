#!/usr/bin/env bash
# The test command (README): on Debian 12 as root, installs the system packages the tests need, then
# runs the whole suite:
#   1. the reactor: every module's tests, then `deploy -Prelease` into target/deploy-repo (which
#      also installs jcni's artifacts into ~/.m2 for the starter), and the check of what would be
#      published (.ci/check-deployed.py);
#   2. a new user's project: generated from jcni-plugin-archetype outside the repository against
#      those artifacts (its pom at most 40 lines; docs/examples/starter is exactly what it generates),
#      `mvn verify` (tests, jcni:package, jcni:conformance as root), its executable's VERSION, and
#      the plugin run after jcni's ptp + host-local through `jcni` (run-chained.sh);
#   3. the documentation site: Javadoc, VitePress, every internal link, headless Chromium.
# The site's npm install runs during 1; 2 and 3 run side by side after it. Exits non-zero on any failure.
#
#   ./test.sh                      (.ci/run calls exactly this, with CI=true)
#   ./test.sh --skip-tests         the same without the reactor's own tests (docs, packaging, starter work)
set -euo pipefail
cd "$(dirname "$0")"
reactor_args=()
case ${1-} in
  --skip-tests) reactor_args=(-DskipTests) ;;
  "") ;;
  *) echo "usage: $0 [--skip-tests]" >&2; exit 2 ;;
esac
root=$PWD
start=$(date +%s)
elapsed() { echo "$(( $(date +%s) - start ))s"; }

export DEBIAN_FRONTEND=noninteractive
apt_packages=(
  iproute2                     # ip/ip netns: test-side observer and namespace setup only
  iptables                     # ipMasq and portmap iptables backend (nf_tables flavour)
  nftables                     # ipMasq and portmap nftables backend, macspoofchk
  conntrack                    # test-side observer of conntrack entries
  containernetworking-plugins  # the Go reference plugins v1.1.1 in /usr/lib/cni: parity tests, CriIT's loopback and timings
  netcat-openbsd               # traffic tests; demo/cluster.sh's echo server and clients (ClusterDemoIT)
  util-linux                   # unshare: demo/cluster.sh's containers (essential in Debian; listed for the demo)
  procps                       # ps/pgrep in process-tree tests
  hyperfine                    # benchmarks (not run by the tests)
  podman                       # podman 4.3.1 end to end on jcni's plugins (PodmanIT, CNI backend)
  runc                         # the OCI runtime of PodmanIT's podman and CriIT's containerd (crun is not installed)
  containerd                   # containerd 1.6.20 with its CRI plugin: kubelet's path in CriIT (a private instance, no systemd)
  busybox-static               # PodmanIT's and CriIT's images: a static busybox, imported (no registry)
  python3                      # .ci/check-deployed.py, the site's link check and web server, bench/
  chromium                     # the docs site looked at in a real browser (headless)
  systemd                      # systemd-analyze: InstallIT verifies the warm-mode unit install.sh writes (no systemd runs)
  prometheus                   # WarmMetricsTest scrapes the daemon with a real Prometheus (private config, loopback, own port)
  # cni-sdk-netlink's JNI library for the other architectures (docs/architectures.md): cross compilers
  # and their C libraries (aarch64, ppc64le, s390x, riscv64; x86_64-linux-gnu-gcc comes with gcc)
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
  gcc-s390x-linux-gnu libc6-dev-s390x-cross
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  qemu-user-static binfmt-support  # ForeignArchIT: arm64 and s390x JVMs (.ci/foreign-jvms.sh) under qemu-user
  skopeo                       # ForeignArchIT: reads and copies the multi-architecture node image (oci-archive)
)
command -v node >/dev/null && command -v npm >/dev/null || apt_packages+=(nodejs npm)  # the docs site's generator
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  for arch in arm64 s390x; do  # for .ci/foreign-jvms.sh's downloads (nothing of theirs is installed)
    dpkg --print-foreign-architectures | grep -qx "$arch" || dpkg --add-architecture "$arch"
  done
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${apt_packages[@]}"
  foreign_start=$(date +%s)
  .ci/foreign-jvms.sh  # Debian's arm64 and s390x JREs unpacked privately, for ForeignArchIT; binfmt on
  echo "test.sh: foreign JVMs ready in $(( $(date +%s) - foreign_start ))s"
else
  echo "test.sh: not root or no apt-get: not installing ${apt_packages[*]}" >&2
fi

logs=$root/target/test-logs
mkdir -p "$logs"

# The site's generator, fetched while the reactor builds (network, little CPU)
(cd docs/site && npm ci --no-audit --no-fund --loglevel=error) > "$logs/npm.log" 2>&1 &
npm_pid=$!

echo "== 1. reactor: tests, deploy -Prelease into target/deploy-repo ($(elapsed))"
rm -rf target/deploy-repo
mvn -B deploy -Prelease "${reactor_args[@]}"
python3 .ci/check-deployed.py target/deploy-repo

wait "$npm_pid" || { cat "$logs/npm.log"; echo "test.sh: npm ci failed" >&2; exit 1; }

echo "== 2. a project from the archetype and 3. docs site, side by side ($(elapsed))"
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -n 1)
generated() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  generate() {
    mvn -B -q org.apache.maven.plugins:maven-archetype-plugin:3.3.1:generate -DarchetypeGroupId=dev.jcni \
      -DarchetypeArtifactId=jcni-plugin-archetype -DarchetypeVersion="$version" "$@"
  }
  generate -DgroupId=org.acme -DartifactId=acme-cni -Dpackage=org.acme.cni
  lines=$(wc -l < acme-cni/pom.xml)
  echo "generated pom.xml: $lines lines"
  [ "$lines" -le 40 ] || { echo "the generated pom has $lines lines, more than 40" >&2; return 1; }
  generate -DgroupId=com.example -DartifactId=container-sysctl -Dpackage=com.example.cni
  diff -r -x target container-sysctl "$root/docs/examples/starter" ||
    { echo "docs/examples/starter is not what the archetype generates" >&2; return 1; }
  cd acme-cni
  mvn -B verify | tee "$work/verify.log"
  # as root nothing is skipped: the kernel tests and the conformance check ran
  grep -q "jcni conformance: .*SKIPPED" "$work/verify.log" && return 1
  grep -q "summary: .* 0 broken" "$work/verify.log" || return 1
  out=$(echo '{"cniVersion":"1.0.0"}' | env -i PATH=/usr/bin:/bin CNI_COMMAND=VERSION target/cni/bin/acme-cni)
  echo "VERSION: $out"
  echo "$out" | grep -q '"supportedVersions"' || return 1
  sh ./run-chained.sh --reference "$root/plugins-reference/target/cni/bin"
}
(generated) > "$logs/generated.log" 2>&1 &
generated_pid=$!
docs/site/build.sh > "$logs/site.log" 2>&1 &
site_pid=$!
status=0
wait "$generated_pid" || status=$?
echo "-- project from the archetype ($(elapsed)): exit $status"; cat "$logs/generated.log"
site_status=0
wait "$site_pid" || site_status=$?
echo "-- site ($(elapsed)): exit $site_status"; cat "$logs/site.log"
[ "$status" = 0 ] && [ "$site_status" = 0 ] || { echo "test.sh: FAILED ($(elapsed))" >&2; exit 1; }
echo "test.sh: all passed ($(elapsed))"
