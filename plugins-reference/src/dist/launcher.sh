#!/bin/sh
# jcni launcher for the @PLUGIN@ CNI plugin (generated at build time; do not edit).
# A container runtime execs this file with CNI_* variables and the configuration on stdin.
# stdout carries the CNI protocol only: everything this script says goes to stderr.
main=@MAIN@
classpath_names=@CLASSPATH@

# --- where the jars are: JCNI_HOME, ../lib next to the real file, jcni-lib/ beside it, the build tree
self=$0
case $self in */*) ;; *) self=$(command -v -- "$self" 2>/dev/null || printf '%s' "$self") ;; esac
real=$(readlink -f -- "$self" 2>/dev/null) || real=$self
case $real in */*) bindir=${real%/*} ;; *) bindir=. ;; esac
lib=
for candidate in ${JCNI_HOME:+"$JCNI_HOME/lib"} "$bindir/../lib" "$bindir/jcni-lib" "@BUILD_LIB@"; do
  if [ -f "$candidate/@MARKER_JAR@" ]; then lib=$(cd "$candidate" && pwd -P); break; fi
done

fail() {
  printf 'jcni @PLUGIN@: %s\n' "$1" >&2
  # the CNI error JSON, so that the runtime reports the cause
  printf '{\n    "code": 999,\n    "msg": "%s",\n    "details": "%s"\n}' "jcni @PLUGIN@: $1" "$2"
  exit 1
}
[ -n "$lib" ] || fail "cannot find the jcni jars" "looked in \$JCNI_HOME/lib, $bindir/../lib, $bindir/jcni-lib and @BUILD_LIB@"

# --- which JVM: JAVA_HOME, the one used at build time, then PATH
java=
for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "@BUILD_JAVA@"; do
  if [ -x "$candidate" ]; then java=$candidate; break; fi
done
if [ -z "$java" ]; then java=$(command -v java 2>/dev/null) || java=; fi
[ -n "$java" ] || fail "no Java runtime found" "set JAVA_HOME or install a JDK (17 or newer); PATH=$PATH"

cp=
for jar in $classpath_names; do cp="$cp${cp:+:}$lib/$jar"; done

# class-data sharing: made at build time for this class path and JVM; ignored if it does not match
share=
if [ -f "$lib/jcni.jsa" ] && [ "$java" = "@BUILD_JAVA@" ]; then share="-XX:SharedArchiveFile=$lib/jcni.jsa"; fi

exec "$java" $share -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr \
  -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xss512k -XX:MaxRAM=1g \
  -Djcni.jffi.library.path="$lib/jni" -Djnr.ffi.asm.enabled=false ${JCNI_JAVA_OPTS:-} -cp "$cp" "$main" "$@"
