#!/bin/sh
# Installs the jcni distribution "@DIST@" (made by `jcni package`; see docs/packaging.md):
#   install.sh [--bin-dir DIR] [--java-home JAVA_HOME] [--warm] [--unit-dir DIR] [--no-train] [DIR]
#   install.sh --uninstall [--bin-dir DIR]
# The launchers go into the CNI bin directory (default /opt/cni/bin), the jars and archives into
# DIR/jcni-lib/@DIST@/<id>/ (DIR/jcni-lib/@DIST@/current names the installed one; the previous
# version stays until the next install, so calls in flight during an upgrade finish). Then each
# launcher trains its start-up archive for the JVM it will run on: the distribution's own Java
# runtime (lib/runtime, when it has one: the node needs no Java), else the node's. --java-home pins that JVM;
# --warm installs and (re)starts the warm-mode daemon as the systemd unit jcni-@DIST@.service
# (written into --unit-dir, default /etc/systemd/system; enabled and started when that is systemd's).
# What it installs belongs to the installer (root: uid 0, gid 0) and only it can write to it (0755
# executables and directories, 0644 the rest), whoever owns the distribution it copies; it refuses a
# destination that others could change (docs/operators.md, "Install").
set -eu
umask 022
unset CDPATH
dist=@DIST_SH@
here=$(cd "$(dirname -- "$0")" && pwd -P)
dest=/opt/cni/bin
java_home=
warm=
train=1
uninstall=
units=/etc/systemd/system
while [ $# -gt 0 ]; do
  case $1 in
    --bin-dir | --java-home | --unit-dir)
      [ $# -ge 2 ] || { echo "install.sh: $1 needs a value" >&2; exit 2; }
      case $1 in --bin-dir) dest=$2 ;; --java-home) java_home=$2 ;; *) units=$2 ;; esac
      shift 2 ;;
    --bin-dir=*) dest=${1#*=}; shift ;;
    --java-home=*) java_home=${1#*=}; shift ;;
    --unit-dir=*) units=${1#*=}; shift ;;
    --warm) warm=1; shift ;;
    --no-train) train=; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    *) dest=$1; shift ;;
  esac
done
die() { printf 'install.sh: %s\n' "$1" >&2; exit 1; }
nl='
'
case $dest$units$java_home in *"$nl"*) die "a path with a line break cannot be installed to" ;; esac
case $dest in /*) ;; *) dest=$PWD/$dest ;; esac
case $java_home in /* | '') ;; *) java_home=$PWD/$java_home ;; esac
case $units in /*) ;; *) units=$PWD/$units ;; esac
unit=$units/jcni-$dist.service
have_systemd() { command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; }
# systemctl only for systemd's own unit directory (another one is, say, an image being prepared)
manage_units() { [ "$units" = /etc/systemd/system ] && have_systemd; }
uid=$(id -u)

purpose="install under"
# --- Who could change what is installed. A directory must be the installer's or root's and writable
# by its owner alone; one that install.sh only passes through may be writable by all when it is
# root's and sticky (/tmp): then nobody else can rename or remove what is in it.
check_dir() { # DIR [parent|file]
  if [ "${2-}" = file ]; then info=$(ls -ldLn -- "$1") || die "cannot look at $1"
  else info=$(ls -ldn -- "$1") || die "cannot look at $1"
  fi
  # ls -ldn (POSIX): mode, links, numeric owner, ...
  read -r mode _ owner _ <<END
$info
END
  shown=${1%/}
  shown=${shown:-/}
  case ${2-}:$mode in
    file:-*) ;;
    file:*) die "$shown is not a regular file" ;;
    *:d*) ;;
    *) die "$shown is not a directory" ;;
  esac
  [ "$owner" = 0 ] || [ "$owner" = "$uid" ] || die "refusing to $purpose $shown: it belongs to uid $owner"
  case $mode in
    ?????w* | ????????w*)
      if [ "${2-}" = parent ] && [ "$owner" = 0 ]; then
        case $mode in ?????????t*) return 0 ;; esac
      fi
      die "refusing to $purpose $shown: others can write to it ($mode); make it writable by its owner alone (chmod go-w)" ;;
  esac
}
# every directory from / down to the existing directory $1, as named and as it resolves
check_parents() {
  for p in "$1" "$(cd -P -- "$1" && pwd -P)"; do
    check_dir / parent
    at=
    rest=${p#/}
    while [ -n "$rest" ]; do
      at=$at/${rest%%/*}
      case $rest in */*) rest=${rest#*/} ;; *) rest= ;; esac
      [ -z "${at##*/}" ] || check_dir "$at/" parent
    done
  done
}
# a directory of ours: made 0755 when missing, else checked
own_dir() {
  if [ -d "$1" ] && [ ! -L "$1" ]; then
    check_dir "$1"
  else
    mkdir -m 0755 -- "$1" || die "cannot create $1"
    [ "$uid" != 0 ] || chown 0:0 -- "$1"
  fi
}
# the directory $1 and its missing parents made ours, below directories nobody else can change
make_dirs() {
  existing=$1
  while [ ! -d "$existing" ]; do
    existing=${existing%/*}
    existing=${existing:-/}
  done
  check_parents "$existing"
  at=${existing%/}
  rest=${1#"$existing"}
  rest=${rest#/}
  while [ -n "$rest" ]; do
    at=$at/${rest%%/*}
    case $rest in */*) rest=${rest#*/} ;; *) rest= ;; esac
    [ -z "${at##*/}" ] || own_dir "$at"
  done
  check_dir "$1"
}
# the file $1 installed as the new file $2: 0755 when $1 is executable, else 0644; the installer's
install_file() {
  rm -f -- "$2"
  cp -- "$1" "$2"
  if [ -x "$1" ]; then chmod 0755 -- "$2"; else chmod 0644 -- "$2"; fi
  [ "$uid" != 0 ] || chown 0:0 -- "$2"
}
# the entries of directory $1 installed into directory $2 (except $3): directories and files only
install_entries() {
  for f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    [ "${f##*/}" != "${3-}" ] || continue
    if [ -L "$f" ]; then die "refusing to install the symbolic link $f"
    elif [ -d "$f" ]; then own_dir "$2/${f##*/}"; install_entries "$f" "$2/${f##*/}"
    elif [ -f "$f" ]; then install_file "$f" "$2/${f##*/}"
    else die "refusing to install $f: neither a directory nor a regular file"
    fi
  done
}
# An executable's path as the first word of a systemd command line (systemd.service(5), "Command
# lines"): in double quotes, % doubled (specifiers are expanded everywhere; $ is not expanded in the
# executable's name). systemd refuses to start an executable whose path holds a backslash, a quote
# or a control character: warm mode cannot be installed there.
systemd_path_ok() {
  case $1 in *[\\\"\'[:cntrl:]]*) return 1 ;; esac
}
systemd_word() {
  rest=$1
  word=
  while [ -n "$rest" ]; do
    c=${rest%"${rest#?}"}
    rest=${rest#?}
    case $c in
      %) word=$word%% ;;
      *) word=$word$c ;;
    esac
  done
  printf '"%s"' "$word"
}

# the launchers of this distribution in a directory: the second line of an sh launcher names it, the
# last line of a plugin's compiled entry point
launchers_in() {
  for f in "$1"/*; do
    [ -f "$f" ] || continue
    second=$(sed -n '2{p;q;}' "$f" 2>/dev/null) || continue
    last=$(tail -c 512 "$f" 2>/dev/null | tail -n 1) || continue
    case $second$nl$last in "# jcni-launcher dist=$dist "* | *"$nl# jcni-launcher dist=$dist "*) printf '%s\n' "$f" ;; esac
  done
}

if [ -n "$uninstall" ]; then
  if [ -f "$unit" ] && manage_units; then
    systemctl disable --now "jcni-$dist.service" || :
    rm -f "$unit"
    systemctl daemon-reload || :
  elif [ "$units" != /etc/systemd/system ]; then
    rm -f "$unit"
  fi
  launchers_in "$dest" | while IFS= read -r f; do rm -f "$f"; done
  rm -rf "$dest/jcni-lib/$dist"
  rmdir "$dest/jcni-lib" 2>/dev/null || :
  echo "uninstalled jcni distribution $dist from $dest"
  exit 0
fi

IFS= read -r first < "$here/lib/jcni-dist.properties"
id=${first#id=}
case $id in '' | *[!0-9a-f]*) die "$here/lib/jcni-dist.properties names no distribution id" ;; esac
home=$dest/jcni-lib/$dist
target=$home/$id
if [ -n "$warm" ] && ! systemd_path_ok "$home/current/jcni-daemon"; then
  die "systemd cannot start an executable whose path holds a backslash, a quote or a control character: choose another --bin-dir for warm mode than $dest"
fi
# the JVM pinned with --java-home runs as root on every call: nobody else may change it
if [ -n "$java_home" ]; then
  [ -f "$java_home/bin/java" ] && [ -x "$java_home/bin/java" ] || die "--java-home $java_home has no bin/java"
  purpose="run the JVM of"
  check_parents "$java_home"
  check_dir "$java_home"
  check_dir "$java_home/bin"
  check_dir "$java_home/bin/java" file
  purpose="install under"
fi
make_dirs "$dest"
make_dirs "$dest/jcni-lib"
make_dirs "$home"

# 1. the jars, archives and daemon launcher, swapped in whole (private while it is filled)
tmp=$home/.$id.new.$$
old=$home/.$id.old.$$
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -m 0700 -- "$tmp"
[ "$uid" != 0 ] || chown 0:0 -- "$tmp"
install_entries "$here/lib" "$tmp" archives
if [ -n "$java_home" ]; then
  printf '%s\n' "$java_home" > "$tmp/java-home"
  chmod 0644 -- "$tmp/java-home"
fi
chmod 0755 -- "$tmp"
[ -d "$target" ] && mv "$target" "$old"
mv "$tmp" "$target"
trap - EXIT
rm -rf "$old"
previous=$(readlink "$home/current" 2>/dev/null) || previous=
rm -f -- "$home/.current.$$"
ln -s "$id" "$home/.current.$$"
mv -Tf "$home/.current.$$" "$home/current"

# 2. the launchers, each replaced in one rename
for f in "$here"/bin/*; do
  [ -f "$f" ] || continue
  n=${f##*/}
  install_file "$f" "$dest/.$n.$$"
  mv -f "$dest/.$n.$$" "$dest/$n"
done

# 3. start-up archives for the JVM each launcher will use here, with the options a runtime's call
# gets (not the installer's); the distribution's own runtime (lib/runtime) has one archive for all
# launchers, which the first one trains
if [ -n "$train" ]; then
  once=
  [ -n "$java_home" ] || [ ! -d "$target/runtime" ] || once=1
  for f in "$here"/bin/*; do
    [ -f "$f" ] || continue
    n=${f##*/}
    [ -z "$once" ] || [ "$once" = 1 ] || continue
    [ -z "$once" ] || once=done
    if ! out=$(env -u JCNI_JAVA_OPTS -u JCNI_JAVA_HOME -u JAVA_TOOL_OPTIONS -u _JAVA_OPTIONS -u JDK_JAVA_OPTIONS \
        "$dest/$n" --jcni-train 2>&1 </dev/null); then
      echo "install.sh: training the start-up archive of $n failed (it works without one, only slower):" >&2
      printf '%s\n' "$out" | tail -n 20 >&2
    fi
  done
  # an AppCDS archive is written read-only (0444): the installer's 0644 as everything else
  [ ! -d "$target/archives" ] || find "$target/archives" -type f -exec chmod 0644 {} +
fi

# 4. versions before the previous one go, and the previous one too when others could change it (an
# older install.sh kept the owner and modes of the distribution it copied)
for d in "$home"/*; do
  v=${d##*/}
  [ -d "$d" ] && [ ! -L "$d" ] && [ "$v" != "$id" ] || continue
  if [ "$v" = "$previous" ] && [ -z "$(find "$d" ! -user "$uid" -o ! -type l \( -perm -020 -o -perm -002 \) 2>&1 | head -n 1)" ]; then
    continue
  fi
  rm -rf -- "$d"
done

# 5. warm mode
if [ -n "$warm" ]; then
  if manage_units || [ "$units" != /etc/systemd/system ]; then
    make_dirs "$units"
    exec_start=$(systemd_word "$home/current/jcni-daemon")
    rm -f -- "$unit.tmp.$$"
    while IFS= read -r line || [ -n "$line" ]; do
      case $line in
        'ExecStart={{DAEMON}}') printf 'ExecStart=%s\n' "$exec_start" ;;
        *) printf '%s\n' "$line" ;;
      esac
    done < "$here/jcni-$dist.service" > "$unit.tmp.$$"
    chmod 0644 -- "$unit.tmp.$$"
    [ "$uid" != 0 ] || chown 0:0 -- "$unit.tmp.$$"
    mv -f "$unit.tmp.$$" "$unit"
  fi
  if manage_units; then
    systemctl daemon-reload
    systemctl enable "jcni-$dist.service" >/dev/null
    systemctl restart "jcni-$dist.service"
    echo "warm mode: jcni-$dist.service enabled and (re)started"
  else
    echo "install.sh: systemd does not run $units here: start the warm-mode daemon yourself: $home/current/jcni-daemon" >&2
  fi
elif [ -f "$unit" ] && manage_units && systemctl is-active --quiet "jcni-$dist.service"; then
  systemctl restart "jcni-$dist.service"
  echo "warm mode: jcni-$dist.service restarted on the new version"
fi
echo "installed jcni distribution $dist ($id) into $dest (jars in $target)"
