#!/bin/sh
# jcni's documentation site: the Markdown of the repository and the Javadoc of the published modules,
# as one static site (VitePress: why in docs/docs-site.md), every internal link checked, and the pages
# looked at in headless Chromium.
#
#   docs/site/build.sh [--no-browser] [--serve [PORT]]
#
# Output: target/site/ (open it through a web server: --serve, then http://127.0.0.1:PORT/).
# Needs: JDK 17+ and Maven (the Javadoc, with jcni's dependencies from the local Maven repository),
# Node.js 18+ and npm (VitePress, pinned by package-lock.json), python3 (link check), and for the
# browser check Debian's chromium (test.sh installs it).
set -eu
site=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$site/../.." && pwd)
browser=yes
serve=
while [ $# -gt 0 ]; do
  case $1 in
    --no-browser) browser=; shift ;;
    --serve) serve=${2:-8080}; shift; [ $# -gt 0 ] && shift ;;
    *) echo "usage: $0 [--no-browser] [--serve [PORT]]" >&2; exit 2 ;;
  esac
done
out=$repo/target/site
mkdir -p "$repo/target"

# 1. Javadoc of the published modules in one tree (one index, one search): the packages their
#    module-info exports to everyone (not those exported only to jcni's own modules)
echo "site: Javadoc"
jd=$repo/target/site-javadoc
rm -rf "$jd"
cp_file=$repo/target/site-classpath.txt
rm -f "$cp_file"
(cd "$repo" && mvn -B -q -pl cni-sdk,cni-sdk-netlink,jcni-test-kit dependency:build-classpath -DincludeScope=compile \
  -DexcludeGroupIds=dev.jcni -Dmdep.outputFile="$cp_file" -Dmdep.appendOutput=true)
packages=
source_path=
for module in cni-sdk cni-sdk-netlink jcni-test-kit; do
  info=$repo/$module/src/main/java/module-info.java
  name=$(sed -n 's/^module \([a-z0-9.]*\).*/\1/p' "$info")
  source_path="$source_path --module-source-path $name=$repo/$module/src/main/java"
  for p in $(sed -n 's/^ *exports \([a-z0-9.]*\) *;.*/\1/p' "$info"); do
    packages="$packages $name/$p"
  done
done
version=$(sed -n 's/^  <version>\(.*\)<\/version>/\1/p' "$repo/pom.xml" | head -1)
# shellcheck disable=SC2086
javadoc -quiet -d "$jd" $source_path --module-path "$(tr '\n' ':' < "$cp_file")" -Xdoclint:all,-missing \
  -doctitle "jcni $version API" -windowtitle "jcni $version API" -notimestamp \
  -top '<a href="/index.html">jcni documentation</a> &middot; <a href="/getting-started.html">Getting started</a>' $packages

# 2. The site
echo "site: VitePress"
cd "$site"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node build.mjs --javadoc "$jd" --out "$out"

# 3. Every internal link and anchor of every page, the Javadoc's included
echo "site: link check"
# JDK 17's javadoc links the constants page's "dev.jcni.*" entry to #dev.jcni, a section it never writes
python3 "$site/check-links.py" "$out" --ignore '^api/constant-values.html:[0-9]+: #dev.jcni \(no #dev.jcni in'


# The search index covers every page (VitePress's local search, built into the site)
python3 - "$out" <<'PY'
import glob, os, sys
out = sys.argv[1]
index = open(glob.glob(os.path.join(out, "assets/chunks/@localSearchIndexroot*.js"))[0], encoding="utf-8").read()
pages = [os.path.relpath(p, out) for p in glob.glob(os.path.join(out, "**/*.html"), recursive=True)
         if not p.startswith(os.path.join(out, "api")) and not p.endswith("404.html")]
missing = [p for p in pages if f'"/{p}#' not in index and not (p.endswith("index.html") and f'"/{p[:-10]}#' in index)]
print(f"search index: {len(pages) - len(missing)} of {len(pages)} pages" + (": missing " + ", ".join(missing) if missing else ""))
sys.exit(1 if missing else 0)
PY

# 4. A real browser renders the pages
if [ -n "$browser" ]; then
  echo "site: browser check"
  "$site/browser-check.sh" "$out" "$repo/target/site-screenshots"
fi
echo "site: built in $out"

if [ -n "$serve" ]; then
  echo "site: http://127.0.0.1:$serve/ (Ctrl-C to stop)"
  exec python3 -m http.server --bind 127.0.0.1 --directory "$out" "$serve"
fi
