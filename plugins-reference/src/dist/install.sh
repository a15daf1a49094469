#!/bin/sh
# Installs the jcni CNI plugins: the executables into a CNI bin directory (default /opt/cni/bin)
# and their jars into <bin dir>/jcni-lib, then makes the class-data-sharing archive for that place.
#   install.sh [bin-dir]
set -eu
here=$(cd "$(dirname -- "$0")" && pwd -P)
dest=${1:-/opt/cni/bin}
mkdir -p "$dest/jcni-lib"
cp -p "$here"/lib/*.jar "$dest/jcni-lib/"
cp -pR "$here"/lib/jni "$dest/jcni-lib/"
for f in "$here"/bin/*; do
  [ -f "$f" ] && cp -p "$f" "$dest/"
done
rm -f "$dest/jcni-lib/jcni.jsa"
# the archive is tied to the jars' paths: make it again where they now are
"$dest/jcni-train" >/dev/null 2>&1 || echo "install.sh: could not make the class-data-sharing archive (plugins work without it)" >&2
echo "installed jcni plugins into $dest (jars in $dest/jcni-lib)"
