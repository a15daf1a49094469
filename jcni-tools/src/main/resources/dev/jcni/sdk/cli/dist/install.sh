#!/bin/sh
# Installs the jcni distribution "@DIST@" (made by `jcni package`; see docs/packaging.md):
#   install.sh [--bin-dir DIR] [--java-home JAVA_HOME] [--warm] [--no-train] [DIR]
#   install.sh --uninstall [--bin-dir DIR]
# The launchers go into the CNI bin directory (default /opt/cni/bin), the jars and archives into
# DIR/jcni-lib/@DIST@/<id>/ (DIR/jcni-lib/@DIST@/current names the installed one; the previous
# version stays until the next install, so calls in flight during an upgrade finish). Then each
# launcher trains its start-up archive for the JVM it will run on. --java-home pins that JVM;
# --warm installs and (re)starts the warm-mode daemon as the systemd unit jcni-@DIST@.service.
set -eu
dist=@DIST@
here=$(cd "$(dirname -- "$0")" && pwd -P)
dest=/opt/cni/bin
java_home=
warm=
train=1
uninstall=
while [ $# -gt 0 ]; do
  case $1 in
    --bin-dir) dest=$2; shift 2 ;;
    --bin-dir=*) dest=${1#*=}; shift ;;
    --java-home) java_home=$2; shift 2 ;;
    --java-home=*) java_home=${1#*=}; shift ;;
    --warm) warm=1; shift ;;
    --no-train) train=; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    *) dest=$1; shift ;;
  esac
done
unit=/etc/systemd/system/jcni-$dist.service
have_systemd() { command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; }

# the launchers of this distribution in a directory: their second line names it
launchers_in() {
  for f in "$1"/*; do
    [ -f "$f" ] || continue
    second=$(sed -n 2p "$f" 2>/dev/null) || continue
    case $second in "# jcni-launcher dist=$dist "*) printf '%s\n' "$f" ;; esac
  done
}

if [ -n "$uninstall" ]; then
  if [ -f "$unit" ] && have_systemd; then
    systemctl disable --now "jcni-$dist.service" || :
    rm -f "$unit"
    systemctl daemon-reload || :
  fi
  launchers_in "$dest" | while IFS= read -r f; do rm -f "$f"; done
  rm -rf "$dest/jcni-lib/$dist"
  rmdir "$dest/jcni-lib" 2>/dev/null || :
  echo "uninstalled jcni distribution $dist from $dest"
  exit 0
fi

IFS= read -r first < "$here/lib/jcni-dist.properties"
id=${first#id=}
home=$dest/jcni-lib/$dist
target=$home/$id
mkdir -p "$home"

# 1. the jars, archives and daemon launcher, swapped in whole
tmp=$home/.$id.new.$$
old=$home/.$id.old.$$
rm -rf "$tmp"
cp -pR "$here/lib" "$tmp"
rm -rf "$tmp/archives"
[ -n "$java_home" ] && printf '%s\n' "$java_home" > "$tmp/java-home"
[ -d "$target" ] && mv "$target" "$old"
mv "$tmp" "$target"
rm -rf "$old"
previous=$(readlink "$home/current" 2>/dev/null) || previous=
ln -s "$id" "$home/.current.$$"
mv -Tf "$home/.current.$$" "$home/current"

# 2. the launchers, each replaced in one rename
for f in "$here"/bin/*; do
  [ -f "$f" ] || continue
  n=${f##*/}
  cp -p "$f" "$dest/.$n.$$"
  mv -f "$dest/.$n.$$" "$dest/$n"
done

# 3. start-up archives for the JVM each launcher will use here
if [ -n "$train" ]; then
  for f in "$here"/bin/*; do
    [ -f "$f" ] || continue
    n=${f##*/}
    if ! out=$(env -u JCNI_JAVA_OPTS "$dest/$n" --jcni-train 2>&1 </dev/null); then
      echo "install.sh: training the start-up archive of $n failed (it works without one, only slower):" >&2
      printf '%s\n' "$out" | tail -n 20 >&2
    fi
  done
fi

# 4. versions before the previous one go
for d in "$home"/*; do
  v=${d##*/}
  [ -d "$d" ] && [ ! -L "$d" ] && [ "$v" != "$id" ] && [ "$v" != "$previous" ] && rm -rf "$d"
done

# 5. warm mode
if [ -n "$warm" ]; then
  if have_systemd; then
    sed "s#{{DAEMON}}#$home/current/jcni-daemon#g" "$here/jcni-$dist.service" > "$unit.tmp.$$"
    mv -f "$unit.tmp.$$" "$unit"
    systemctl daemon-reload
    systemctl enable "jcni-$dist.service" >/dev/null
    systemctl restart "jcni-$dist.service"
    echo "warm mode: jcni-$dist.service enabled and (re)started"
  else
    echo "install.sh: no systemd here: start the warm-mode daemon yourself: $home/current/jcni-daemon" >&2
  fi
elif [ -f "$unit" ] && have_systemd && systemctl is-active --quiet "jcni-$dist.service"; then
  systemctl restart "jcni-$dist.service"
  echo "warm mode: jcni-$dist.service restarted on the new version"
fi
echo "installed jcni distribution $dist ($id) into $dest (jars in $target)"
