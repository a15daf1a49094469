#!/bin/sh
# jcni-launcher dist=@DIST@ id=@ID@ main=@MAIN@ kind=@KIND@
# The launcher of "@NAME@", made by `jcni package` (see docs/packaging.md); do not edit.
# A container runtime execs it with CNI_* variables and the configuration on stdin (a plugin's
# bin/<plugin> is then its compiled entry point, which execs this file, lib/launchers/<plugin>, for
# what it does not do itself: jcni-shim.c, JCNI_ENTRY). stdout carries
# the CNI protocol only: everything this script says goes to stderr, and a failure to start also
# prints a CNI error JSON on stdout. Arguments it reads itself (runtimes pass none):
#   --jcni-cold   skip warm mode (the warm-mode shim falls back with it)
#   --jcni-train  train this JVM's start-up archive for this launcher, or the bundled runtime's for
#                 the whole distribution (install.sh and jcni package)
# the values below are single-quoted by jcni package (a nested class a.B$C stays a.B$C)
name=@NAME_SH@
dist=@DIST_SH@
id=@ID_SH@
kind=@KIND_SH@
main=@MAIN_SH@
mode=run
# cd follows no CDPATH of the caller's (it would move the jars elsewhere)
unset CDPATH
case ${1-} in
  --jcni-cold) shift; mode=cold ;;
  --jcni-train) shift; mode=train-all ;;
  --jcni-train-one)
    case ${2-} in all | VERSION | dist) scope=$2; shift 2; mode=train ;; *) echo "jcni $name: --jcni-train-one all|VERSION|dist" >&2; exit 2 ;; esac ;;
esac

# A CNI error on stdout (code 999, JSON-escaped text) and the reason on stderr; exit 1.
fail() {
  printf 'jcni %s: %s\n' "$name" "$1" >&2
  version=1.1.0
  if [ ! -t 0 ]; then
    v=$(cat | tr -d '\n\r' | sed -n 's/.*"cniVersion"[[:space:]]*:[[:space:]]*"\([0-9][0-9.]*\)".*/\1/p')
    [ -n "$v" ] && version=$v
  fi
  printf '{\n    "cniVersion": "%s",\n    "code": 999,\n    "msg": "%s",\n    "details": "%s"\n}\n' \
    "$version" "$(json_text "jcni $name: $1")" "$(json_text "${2-}")"
  exit 1
}
json_text() {
  tab=$(printf '\t')
  printf '%s' "$1" | tr -d '\000-\010\013-\037' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/$tab/\\\\t/g" |
    awk 'BEGIN { ORS = "" } NR > 1 { print "\\n" } { print }'
}

# --- the jars: <dir>/jcni-lib/<dist>/<id> (install.sh's layout), <dir>/../lib (the packaged layout),
# <dir> itself (lib/jcni-daemon), <dir>/.. (lib/launchers/<plugin>, where a plugin's launcher is when
# bin/<plugin> is its compiled entry point); <dir> as exec'd first, then the directory of the real file.
# The first line of lib/jcni-dist.properties must name this launcher's id.
lib=
find_lib() {
  for candidate in "$1/jcni-lib/$dist/$id" "$1/../lib" "$1" "$1/.."; do
    if [ -f "$candidate/jcni-dist.properties" ]; then
      first=
      IFS= read -r first < "$candidate/jcni-dist.properties" || :
      if [ "$first" = "id=$id" ]; then lib=$candidate; return 0; fi
    fi
  done
  return 1
}
self=$0
case $self in */*) ;; *) self=$(command -v -- "$self" 2>/dev/null) || self=$0 ;; esac
if ! find_lib "${self%/*}"; then
  real=$(readlink -f -- "$self" 2>/dev/null) || real=
  [ -n "$real" ] && find_lib "${real%/*}" || fail "cannot find the jars of distribution $dist ($id)" \
    "looked for jcni-dist.properties with id=$id in jcni-lib/$dist, ../lib, . and .. beside $self${real:+ and $real}"
fi

# --- warm mode: hand the call to the distribution's daemon when it runs (docs/operators.md). A call
# whose environment chooses the JVM or its options runs cold: only a JVM of its own honours them.
# VERSION goes to the shim in any case: it answers the common case itself, without a JVM.
sock=/run/jcni/$dist.sock
if [ "$mode" = run ] && [ "$kind" = plugin ] && [ -x "$lib/jcni-shim" ] &&
  { [ "${CNI_COMMAND-}" = VERSION ] || { [ "${JCNI_WARM-}" != off ] && [ -S "$sock" ]; }; }; then
  jvm_setting=
  [ -z "${JCNI_JAVA_HOME-}" ] || jvm_setting=JCNI_JAVA_HOME
  [ -z "${JCNI_JAVA_OPTS-}" ] || jvm_setting=JCNI_JAVA_OPTS
  # the JVM reads these even when empty (it says "Picked up ..." on stderr)
  [ -z "${JAVA_TOOL_OPTIONS+set}" ] || jvm_setting=JAVA_TOOL_OPTIONS
  [ -z "${_JAVA_OPTIONS+set}" ] || jvm_setting=_JAVA_OPTIONS
  [ -z "${JDK_JAVA_OPTIONS+set}" ] || jvm_setting=JDK_JAVA_OPTIONS
  [ -n "$jvm_setting" ] || exec "$lib/jcni-shim" "$sock" "$id" "$name" "$self" "$@"
  case ${JCNI_WARM_DEBUG:-0} in 0) ;; *) printf 'jcni %s: going cold: %s is set\n' "$name" "$jvm_setting" >&2 ;; esac
fi

# the canonical path: the archive of Java 17-24 records the class path exactly
lib=$(cd "$lib" && pwd -P) || fail "cannot enter $lib"

# --- the JVM: $JCNI_JAVA_HOME; else the one install.sh recorded in lib/java-home; else the runtime
# the distribution carries (lib/runtime, made by jlink); else the newest Java 17+ among $JAVA_HOME,
# /usr/lib/jvm/*, /usr/java/*, /opt/java/* and the java on PATH.
java_home=
java_feature=0
java_runtime=
oldest_seen=
consider() {
  [ -x "$1/bin/java" ] && [ -f "$1/release" ] || return 1
  v=
  r=
  while IFS='=' read -r k val; do
    val=${val#\"}
    val=${val%\"}
    case $k in
      JAVA_VERSION) v=$val ;;
      JAVA_RUNTIME_VERSION) r=$val ;;
    esac
  done < "$1/release"
  f=${v%%.*}
  case $f in '' | *[!0-9]*) return 1 ;; esac
  if [ "$f" -lt @MIN_JAVA@ ]; then
    oldest_seen="Java $v in $1"
    return 1
  fi
  [ "$f" -gt "$java_feature" ] || return 1
  java_home=$1
  java_feature=$f
  java_runtime=$r
  java_version=$v
}
setting=${JCNI_JAVA_HOME-}
origin=JCNI_JAVA_HOME
if [ -z "$setting" ] && [ -f "$lib/java-home" ]; then
  IFS= read -r setting < "$lib/java-home" || :
  origin=$lib/java-home
fi
bundled=
if [ -n "$setting" ]; then
  consider "$setting" || fail "no usable Java @MIN_JAVA@ or newer in $setting (set by $origin)" \
    "${oldest_seen:+found $oldest_seen; }a Java home holds bin/java and a release file"
  # the distribution's own runtime named explicitly still gets its archive
  [ ! "$setting" -ef "$lib/runtime" ] || bundled=1
elif [ -d "$lib/runtime" ]; then
  consider "$lib/runtime" || fail "the distribution's Java runtime in $lib/runtime is unusable" \
    "it holds bin/java and a release file of Java @MIN_JAVA@ or newer; set JCNI_JAVA_HOME to use another Java"
  bundled=1
else
  for candidate in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/* /usr/java/* /opt/java/*; do
    [ -d "$candidate" ] && consider "$candidate"
  done
  if [ -z "$java_home" ]; then
    on_path=$(command -v java 2>/dev/null) && on_path=$(readlink -f -- "$on_path" 2>/dev/null) && consider "${on_path%/bin/java}"
  fi
  [ -n "$java_home" ] || fail "no Java runtime found (jcni needs Java @MIN_JAVA@ or newer)" \
    "${oldest_seen:+found only $oldest_seen; }set JCNI_JAVA_HOME or install a JDK; looked in JAVA_HOME=${JAVA_HOME-}, /usr/lib/jvm, /usr/java, /opt/java and PATH=${PATH-}"
fi
java=$java_home/bin/java
# no pathname expansion from here on: the option lists below are split into words, and a file in the
# caller's working directory must not replace one (-Xlog:cds*=off:stderr is a pattern to sh)
set -f

# --- the start-up archive trained for exactly this JVM: an AOT cache on Java 25+, AppCDS before.
# A missing or stale archive is ignored (the JVM checks it); JCNI_LOG_LEVEL=debug shows why.
# Only a well-formed version names one (a digit first, then letters, digits and . _ + -): an empty
# or odd JAVA_RUNTIME_VERSION runs without an archive.
# The bundled runtime's archives are in lib/archives/runtime: one for the whole distribution
# (_dist), trained by any of its launchers (--jcni-train), used by all of them.
archive=
if [ -n "$bundled" ]; then
  archive=$lib/archives/runtime/$name
  [ "$mode" != run ] && [ "$mode" != cold ] || [ -f "$archive.jsa" ] || [ -f "$archive.aot" ] || archive=${archive%/*}/_dist
else
  case $java_runtime in
    [0-9]*) case $java_runtime in *[!A-Za-z0-9._+-]*) ;; *) archive=$lib/archives/$java_runtime/$name ;; esac ;;
  esac
fi
if [ "$mode" = train-all ]; then
  # the bundled runtime: one archive for every launcher of the distribution (AppCDS maps classes
  # lazily, so a VERSION call pays little for the others); another JVM: one archive for every call
  # of this launcher, and for a plugin one for VERSION alone (runtimes ask it often, and it needs a
  # fraction of the classes)
  if [ -n "$bundled" ] && [ "$java_feature" -lt 25 ]; then
    exec "$0" --jcni-train-one dist
  fi
  "$0" --jcni-train-one all || exit
  [ "$kind" != plugin ] || "$0" --jcni-train-one VERSION || exit
  exit 0
fi
log_opts="-Xlog:disable -Xlog:all=warning:stderr"
case ${JCNI_LOG_LEVEL-} in
  debug | DEBUG | trace | TRACE)
    printf 'jcni %s: Java %s in %s; start-up archive %s\n' "$name" "${java_runtime:-$java_version}" "$java_home" "${archive:-(none for this JVM)}" >&2 ;;
  *) log_opts="$log_opts -Xlog:cds*=off:stderr"
     [ "$java_feature" -ge 25 ] && log_opts="$log_opts -Xlog:aot*=off:stderr" ;;
esac
set -- -cp @CLASSPATH@ "$main" "$@"
if [ "$java_feature" -ge 25 ]; then ext=aot; else ext=jsa; fi
if [ "$mode" = train ]; then
  [ -n "$archive" ] || fail "cannot name an archive for the JVM in $java_home (JAVA_RUNTIME_VERSION=$java_runtime)"
  mkdir -p "${archive%/*}" || fail "cannot create ${archive%/*}"
  case $scope in all) ;; dist) archive=${archive%/*}/_dist ;; *) archive=$archive-$scope ;; esac
  rm -f "$archive.$ext"
  if [ "$scope" = dist ]; then
    set -- -cp @CLASSPATH@ dev.jcni.sdk.cli.Trainer dist "$lib" "${self%/*}"
  else
    set -- -cp @CLASSPATH@ dev.jcni.sdk.cli.Trainer "$kind" "$main" "$lib/training/$name.json" "${self%/*}" "$scope"
  fi
  # the training JVM runs with exactly the options of a call (an AOT cache needs that); no JCNI_JAVA_OPTS
  if [ "$ext" = aot ]; then set -- "-XX:AOTCacheOutput=$archive.aot" "$@"; else set -- "-XX:ArchiveClassesAtExit=$archive.jsa" "$@"; fi
else
  # JCNI_JAVA_OPTS come after jcni's own options, so that they win (word splitting on purpose)
  # shellcheck disable=SC2086
  set -- ${JCNI_JAVA_OPTS-} "$@"
  [ -n "$archive" ] && [ "$kind" = plugin ] && [ "${CNI_COMMAND-}" = VERSION ] && [ -f "$archive-VERSION.$ext" ] &&
    archive=$archive-VERSION
  if [ -z "$archive" ] || [ ! -f "$archive.$ext" ]; then :
  elif [ "$ext" = aot ]; then set -- "-XX:AOTCache=$archive.aot" "$@"
  else set -- "-XX:SharedArchiveFile=$archive.jsa" -Xshare:auto "$@"; fi
fi
[ -d "$lib/native" ] && set -- "-Djcni.native.dir=$lib/native" "$@"
[ "$java_feature" -ge 24 ] && set -- --enable-native-access=ALL-UNNAMED "$@"
# processes (iptables, nft, exec'd delegates) start with vfork: half the cost of posix_spawn's helper
# (measured: docs/performance.md); Java 25 deprecates it with a warning on stderr, so not there
[ "$java_feature" -lt 25 ] && set -- -Djdk.lang.Process.launchMechanism=VFORK "$@"
# shellcheck disable=SC2086 # the option lists are word lists on purpose
exec "$java" $log_opts @JAVA_OPTS@ "-Djcni.dist.id=$id" "-Djcni.dist.name=$dist" "-Djcni.dist.lib=$lib" "$@"
