#!/bin/sh
# Build (or reuse) a minimal Debian 12 root for one architecture, with ffmpeg installed by apt as
# a Raspberry Pi user would, and neither Node.js nor a C compiler: the clean machine the device
# bundle must install and run on. A foreign architecture runs through qemu-user-static (binfmt).
# Usage: make-debian-root.sh <arm64|amd64> <root folder>. Idempotent: a finished root (marked by
# .agekit-root) is reused; a half-built one is removed and built again. Needs root and the
# network (Debian's mirror); run the bundle inside it with the network cut (unshare -n chroot).
set -eu
ARCH="$1"
ROOT="$2"
MIRROR="${AGEKIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Bump when what goes into the root changes, so cached roots of an older recipe are rebuilt.
RECIPE="debian12-minbase-ffmpeg-1"
MARK="$ROOT/.agekit-root"
if [ -f "$MARK" ] && [ "$(cat "$MARK")" = "$RECIPE" ]; then
  echo "make-debian-root: reusing $ROOT ($RECIPE)" >&2
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "make-debian-root: must run as root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "make-debian-root: debootstrap not found; apt-get install debootstrap" >&2; exit 1; }
HOST_ARCH=$(dpkg --print-architecture)
if [ "$ARCH" != "$HOST_ARCH" ]; then
  QEMU_ARCH=$(case "$ARCH" in arm64) echo aarch64 ;; amd64) echo x86_64 ;; *) echo "$ARCH" ;; esac)
  if [ ! -f /proc/sys/fs/binfmt_misc/register ]; then mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc; fi
  [ -f "/proc/sys/fs/binfmt_misc/qemu-$QEMU_ARCH" ] || update-binfmts --enable "qemu-$QEMU_ARCH" 2>/dev/null || true
  [ -f "/proc/sys/fs/binfmt_misc/qemu-$QEMU_ARCH" ] || { echo "make-debian-root: no binfmt handler for $ARCH; apt-get install qemu-user-static binfmt-support" >&2; exit 1; }
fi
PARTIAL="$ROOT.partial"
cleanup() {
  for m in dev/pts dev sys proc; do mountpoint -q "$PARTIAL/$m" 2>/dev/null && umount -l "$PARTIAL/$m"; done
  return 0
}
trap cleanup EXIT
cleanup
rm -rf "$PARTIAL" "$ROOT"
mkdir -p "$(dirname "$ROOT")"
t0=$(date +%s)
debootstrap --variant=minbase --arch="$ARCH" bookworm "$PARTIAL" "$MIRROR" >"$PARTIAL.log" 2>&1 || { tail -n 20 "$PARTIAL.log" >&2; echo "make-debian-root: debootstrap failed (log: $PARTIAL.log)" >&2; exit 1; }
t1=$(date +%s)
cp /etc/resolv.conf "$PARTIAL/etc/resolv.conf"
mount -t proc proc "$PARTIAL/proc"
mount --rbind /sys "$PARTIAL/sys"
mount --bind /dev "$PARTIAL/dev"
chroot "$PARTIAL" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends ffmpeg && apt-get clean' >>"$PARTIAL.log" 2>&1 \
  || { tail -n 20 "$PARTIAL.log" >&2; echo "make-debian-root: apt-get install ffmpeg failed in the $ARCH root (log: $PARTIAL.log)" >&2; exit 1; }
t2=$(date +%s)
cleanup
# The point of the root: no Node.js and no compiler, so the bundle must bring its own.
for tool in node nodejs cc gcc npm; do
  if chroot "$PARTIAL" sh -c "command -v $tool" >/dev/null 2>&1; then echo "make-debian-root: $tool is present in the root; it must not be" >&2; exit 1; fi
done
rm -f "$PARTIAL/etc/resolv.conf"
echo "$RECIPE" > "$PARTIAL/.agekit-root"
mv "$PARTIAL" "$ROOT"
mv "$PARTIAL.log" "$ROOT.log"
echo "make-debian-root: $ROOT built: debootstrap $((t1 - t0)) s, apt-get install ffmpeg $((t2 - t1)) s" >&2
