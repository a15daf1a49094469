#!/bin/sh
# Other architectures' JVMs for the tests under qemu-user (ForeignArchIT, docs/architectures.md):
# Debian's openjdk-17-jre-headless for arm64 and s390x, with the libraries it needs, downloaded and
# unpacked into <dir>/<arch>/ (a private sysroot, run with QEMU_LD_PREFIX=<dir>/<arch>), never
# installed: a foreign JVM in /usr/lib/jvm is one more JVM for every jcni launcher and `jcni package`
# to consider. Also mounts binfmt_misc and enables qemu's handlers. Idempotent; run as root, after
# `dpkg --add-architecture arm64 s390x` (test.sh does it before its apt-get update).
# Usage: foreign-jvms.sh [dir]   (default $JCNI_FOREIGN_ROOT, else /var/cache/jcni/foreign-jvms)
#        JCNI_FOREIGN_ARCHES="arm64 s390x ppc64el" (Debian's names) for another set
#        JCNI_FOREIGN_JMODS="arm64" (the default): the arches whose JDK modules (jmods, for jlink) are
#        also unpacked, into <dir>/<arch>/usr/lib/jvm/java-17-openjdk-<arch>/jmods; "" for none
#        JCNI_FOREIGN_BUSYBOX="arm64" (the default): the arches whose static busybox (busybox-static,
#        the base of a node image of that architecture, `jcni node-image --busybox`) is also
#        unpacked, into <dir>/<arch>/busybox-static/bin/busybox (outside the sysroot's /bin, which
#        qemu would find first for the JVM's own commands); "" for none
set -eu
dest=${1:-${JCNI_FOREIGN_ROOT:-/var/cache/jcni/foreign-jvms}}
# Debian 12 ships a JDK's modules in openjdk-17-jdk-headless (there is no openjdk-17-jmods):
# only its jmods directory is kept, beside the JRE of the same version
jmods() {
  case " ${JCNI_FOREIGN_JMODS-arm64} " in *" $1 "*) ;; *) return 0 ;; esac
  [ -f "$dest/$1/$home/jmods/java.base.jmod" ] && return 0
  jdk=$(mktemp -d)
  (cd "$jdk" && apt-get download -q -o APT::Sandbox::User=root "openjdk-17-jdk-headless:$1")
  dpkg -x "$jdk"/*.deb "$jdk/x"
  rm -rf "$dest/$1/$home/jmods.new"
  mv "$jdk/x/$home/jmods" "$dest/$1/$home/jmods.new"
  mv "$dest/$1/$home/jmods.new" "$dest/$1/$home/jmods"
  rm -rf "$jdk"
}
busybox() {
  case " ${JCNI_FOREIGN_BUSYBOX-arm64} " in *" $1 "*) ;; *) return 0 ;; esac
  [ -x "$dest/$1/busybox-static/bin/busybox" ] && return 0
  bb=$(mktemp -d)
  (cd "$bb" && apt-get download -q -o APT::Sandbox::User=root "busybox-static:$1")
  rm -rf "$dest/$1/busybox-static.new"
  dpkg-deb -x "$bb"/*.deb "$dest/$1/busybox-static.new"
  mv "$dest/$1/busybox-static.new" "$dest/$1/busybox-static"
  rm -rf "$bb"
}
mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
for arch in ${JCNI_FOREIGN_ARCHES:-arm64 s390x}; do
  case $arch in arm64) qemu=aarch64 ;; ppc64el) qemu=ppc64le ;; *) qemu=$arch ;; esac
  update-binfmts --enable "qemu-$qemu" 2>/dev/null || true # exits 0, or non-zero when already enabled
  [ -e "/proc/sys/fs/binfmt_misc/qemu-$qemu" ] || { echo "foreign-jvms: no binfmt handler qemu-$qemu (qemu-user-static, binfmt-support)" >&2; exit 1; }
  home=usr/lib/jvm/java-17-openjdk-$arch
  if [ -x "$dest/$arch/$home/bin/java" ]; then
    jmods "$arch"
    busybox "$arch"
    continue
  fi
  dpkg --print-foreign-architectures | grep -qx "$arch" || dpkg --add-architecture "$arch"
  apt-cache policy "openjdk-17-jre-headless:$arch" | grep -q 'Candidate: [0-9]' || apt-get update -q
  debs=$(mktemp -d)
  (cd "$debs" && apt-get download -q -o APT::Sandbox::User=root "openjdk-17-jre-headless:$arch" "libc6:$arch" "zlib1g:$arch" "libgcc-s1:$arch" \
    "libstdc++6:$arch")
  rm -rf "$dest/$arch.new"
  mkdir -p "$dest/$arch.new"
  for d in "$debs"/*.deb; do dpkg -x "$d" "$dest/$arch.new"; done
  # absolute symlinks (the JRE's conf and certificates into /etc, ppc64el's loader) would point out
  # of the sysroot at the host's files: point them at the sysroot's own
  find "$dest/$arch.new" -type l -lname '/*' | while read -r link; do
    target="$dest/$arch.new$(readlink "$link")"
    if [ -e "$target" ]; then ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$target")" "$link"; fi
  done
  rm -rf "$debs" "$dest/$arch"
  mv "$dest/$arch.new" "$dest/$arch"
  QEMU_LD_PREFIX="$dest/$arch" "$dest/$arch/usr/lib/jvm/java-17-openjdk-$arch/bin/java" -version
  jmods "$arch"
  busybox "$arch"
done
