#!/bin/sh
# Install the agekit device runtime from this bundle (for @TARGET@): its own Node.js, TFLite and
# XNNPACK libraries and models are inside, so this script needs no network, npm or compiler,
# and never uses the network.
#   sudo ./install.sh               install to /opt/agekit, create the agekit user, start the service
#   sudo ./install.sh --no-service  install the files only (no user, no service)
#   ./install.sh --check            check this machine, change nothing
#   sudo ./install.sh --uninstall   stop and remove the service and /opt/agekit
# Other options: --prefix <dir> (default /opt/agekit), --help.
set -eu
umask 022
TARGET="@TARGET@"
MIN_GLIBC="2.28"
STATE_DIR="@STATE_DIR@"
PREFIX=/opt/agekit
MODE=install
SERVICE=1
HERE=$(cd "$(dirname "$0")" && pwd)

say() { echo "install.sh: $*" >&2; }
fail() { say "$*"; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { say "--prefix needs a folder"; exit 2; }; PREFIX="$2"; shift 2 ;;
    --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
    --no-service) SERVICE=0; shift ;;
    --check) MODE=check; shift ;;
    --uninstall) MODE=uninstall; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown option $1 (see ./install.sh --help)"; exit 2 ;;
  esac
done
case "$PREFIX" in /*) ;; *) PREFIX="$(pwd)/$PREFIX" ;; esac
PREFIX="${PREFIX%/}"

# This machine as a bundle target name. 32-bit ARM is linux-armhf, also on a 64-bit kernel:
# 32-bit Raspberry Pi OS runs a 64-bit kernel on a Pi 4 or 5, and uname -m then says aarch64.
machine_target() {
  m=$(uname -m)
  case "$m" in
    aarch64|arm64) t=linux-arm64 ;;
    x86_64|amd64) t=linux-x64 ;;
    arm*) t=linux-armhf ;;
    *) t="linux-$m" ;;
  esac
  if [ "$t" = linux-arm64 ] && { [ "$(getconf LONG_BIT 2>/dev/null || echo 64)" = 32 ] || [ "$(dpkg --print-architecture 2>/dev/null || echo arm64)" = armhf ]; }; then t=linux-armhf; fi
  echo "$t"
}

# Empty when this machine runs the bundle, else why not and what to do.
arch_problem() {
  here_target=$(machine_target)
  [ "$here_target" = "$TARGET" ] && return 0
  if [ "$here_target" = linux-armhf ]; then
    echo "this is a 32-bit ARM system (uname -m: $(uname -m), $(getconf LONG_BIT 2>/dev/null || echo 32)-bit programs); agekit needs a 64-bit OS: TensorFlow Lite for Node.js ships no 32-bit ARM library. Install Raspberry Pi OS (64-bit) (Raspberry Pi Imager, any Pi 3, 4, 5 or Zero 2 W), then run this bundle there"
  else
    echo "this bundle is for $TARGET, but this machine is $here_target (uname -m: $(uname -m)); build a bundle for it: agekit bundle --target $here_target"
  fi
}

# Empty when the C library is glibc >= MIN_GLIBC (Node.js 20's official binaries need 2.28).
glibc_problem() {
  v=$(getconf GNU_LIBC_VERSION 2>/dev/null | sed -n 's/^glibc \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p')
  [ -n "$v" ] || { echo "no glibc found (getconf GNU_LIBC_VERSION); the bundled Node.js needs glibc $MIN_GLIBC or newer (musl systems such as Alpine are not supported)"; return 0; }
  if [ "$(printf '%s\n%s\n' "$MIN_GLIBC" "$v" | sort -t. -k1,1n -k2,2n | head -n 1)" != "$MIN_GLIBC" ]; then
    echo "glibc $v is too old; the bundled Node.js needs $MIN_GLIBC or newer (Debian 10, Ubuntu 18.10, Raspberry Pi OS buster or newer)"
  fi
}

# Check every file of the bundle in $1 against its SHA256SUMS.
verify_files() {
  command -v sha256sum >/dev/null || fail "sha256sum not found; it is part of coreutils (apt-get install coreutils)"
  [ -f "$1/SHA256SUMS" ] || fail "$1/SHA256SUMS is missing: this is not a complete agekit bundle; copy the whole folder again"
  if ! bad=$(cd "$1" && sha256sum -c --quiet --strict SHA256SUMS 2>&1); then
    fail "$1: files differ from SHA256SUMS (the copy is incomplete or damaged; copy the bundle again, or unpack the .tar.gz again):
$bad"
  fi
}

# An agekit install: this bundle's layout, or the older npm-installed one (agekit-device.mjs, package.json).
is_agekit_install() {
  [ -f "$1/agekit-device.mjs" ] && { [ -f "$1/manifest.json" ] || grep -q '"name": "agekit-device"' "$1/package.json" 2>/dev/null; }
}

if [ "$MODE" = check ]; then
  failed=0
  ok() { echo "  ok       $*" >&2; }
  warn() { echo "  warning  $*" >&2; }
  bad() { echo "  FAIL     $*" >&2; failed=1; }
  say "checking this machine for the agekit bundle ($TARGET); nothing is changed"
  p=$(arch_problem); if [ -z "$p" ]; then ok "architecture: $(machine_target) (uname -m: $(uname -m))"; else bad "architecture: $p"; fi
  g=$(glibc_problem); if [ -z "$g" ]; then ok "C library: $(getconf GNU_LIBC_VERSION)"; else bad "C library: $g"; fi
  if command -v sha256sum >/dev/null && (cd "$HERE" && sha256sum -c --quiet --strict SHA256SUMS >/dev/null 2>&1); then ok "bundle files match SHA256SUMS"; else bad "bundle files differ from SHA256SUMS (or sha256sum is missing): copy the bundle again"; fi
  if command -v ffmpeg >/dev/null; then ok "ffmpeg: $(command -v ffmpeg)"; else bad "ffmpeg not found; v4l2:, file: and rtsp:// sources need it: sudo apt-get install ffmpeg"; fi
  cams=""; for d in /dev/video*; do [ -e "$d" ] && cams="$cams$d "; done
  if [ -n "$cams" ]; then ok "cameras: $cams(names and sizes: ./agekit-device cameras)"; else warn "no /dev/video* device: plug in a USB camera, or enable the camera module; the Raspberry Pi camera module is read with --source rpicam (apt-get install rpicam-apps)"; fi
  need_kb=$(du -sk "$HERE" | cut -f1)
  where="$PREFIX"; while [ ! -d "$where" ]; do where=$(dirname "$where"); done
  free_kb=$(df -Pk "$where" | awk 'NR == 2 { print $4 }')
  if [ "$free_kb" -gt $((need_kb * 11 / 10)) ]; then ok "disk: $((free_kb / 1024)) MB free in $where, $((need_kb / 1024)) MB needed"; else bad "disk: $((free_kb / 1024)) MB free in $where, $((need_kb / 1024)) MB needed; free some space or use --prefix"; fi
  if [ -z "$p" ]; then
    if rt=$("$HERE/agekit-device" check 2>&1); then ok "TFLite runtime: $(echo "$rt" | tail -n 1)"; else bad "TFLite runtime: $(echo "$rt" | tail -n 1)"; fi
  else
    bad "TFLite runtime: not tried (wrong architecture)"
  fi
  if [ "$failed" -eq 0 ]; then say "this machine can run agekit: sudo ./install.sh"; else say "fix the FAIL lines above, then run ./install.sh --check again"; fi
  exit "$failed"
fi

if [ "$MODE" = uninstall ]; then
  if [ -f /etc/systemd/system/agekit.service ]; then
    [ "$(id -u)" -eq 0 ] || fail "removing the service needs root: sudo ./install.sh --uninstall"
    if command -v systemctl >/dev/null; then systemctl disable --now agekit.service >/dev/null 2>&1 || true; fi
    rm -f /etc/systemd/system/agekit.service
    if command -v systemctl >/dev/null; then systemctl daemon-reload || true; fi
    say "service agekit stopped and removed"
  fi
  if [ -d "$PREFIX" ]; then
    is_agekit_install "$PREFIX" || fail "$PREFIX does not look like an agekit install (no agekit-device.mjs and manifest.json); nothing removed"
    rm -rf "$PREFIX"
    say "removed $PREFIX"
  else
    say "$PREFIX is not there; nothing to remove"
  fi
  say "kept: /etc/agekit (configuration), $STATE_DIR (reports, cache) and the agekit user; remove them with: sudo rm -rf /etc/agekit $STATE_DIR && sudo userdel agekit"
  exit 0
fi

# Install. Everything that can refuse does so before anything changes.
p=$(arch_problem); [ -z "$p" ] || fail "$p; nothing was changed"
g=$(glibc_problem); [ -z "$g" ] || fail "$g; nothing was changed"
verify_files "$HERE"
if [ "$SERVICE" -eq 1 ]; then
  [ "$(id -u)" -eq 0 ] || fail "installing the service needs root: sudo ./install.sh (or ./install.sh --no-service --prefix <folder> for the files only); nothing was changed"
  command -v systemctl >/dev/null || fail "systemctl not found: this system does not run systemd; install the files with --no-service and start $PREFIX/agekit-device yourself; nothing was changed"
fi
if [ -e "$PREFIX" ] && [ "$HERE" != "$(cd "$PREFIX" && pwd)" ] && ! is_agekit_install "$PREFIX"; then
  fail "$PREFIX exists and is not an agekit install; choose another --prefix or remove it; nothing was changed"
fi
command -v ffmpeg >/dev/null || say "warning: ffmpeg not found; v4l2:, file: and rtsp:// sources need it: sudo apt-get install ffmpeg"

if [ "$HERE" != "$(cd "$PREFIX" 2>/dev/null && pwd || echo)" ]; then
  # Copy beside the old install, check the copy, then swap: a failed copy leaves the old one working.
  mkdir -p "$(dirname "$PREFIX")"
  rm -rf "$PREFIX.new"
  cp -R "$HERE" "$PREFIX.new"
  chmod -R u+rwX,go+rX,go-w "$PREFIX.new"
  verify_files "$PREFIX.new"
  if [ -e "$PREFIX" ]; then
    rm -rf "$PREFIX.old"
    mv "$PREFIX" "$PREFIX.old"
  fi
  mv "$PREFIX.new" "$PREFIX"
  rm -rf "$PREFIX.old"
fi
version=$("$PREFIX/agekit-device" --version) || fail "$PREFIX/agekit-device does not start; run it by hand to see why"
if runtime=$("$PREFIX/agekit-device" check 2>&1); then say "TFLite runtime: $(echo "$runtime" | tail -n 1)"; else say "warning: $(echo "$runtime" | tail -n 1)"; fi

if [ "$SERVICE" -eq 0 ]; then
  say "agekit $version installed in $PREFIX (files only); try: $PREFIX/agekit-device cameras, then $PREFIX/agekit-device run --source v4l2:/dev/video0"
  exit 0
fi
getent group video >/dev/null || groupadd --system video
if ! id agekit >/dev/null 2>&1; then
  useradd --system --user-group --groups video --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin agekit
fi
install -d -o agekit -g agekit -m 750 "$STATE_DIR"
# The runtime's XNNPACK cache (used only if the prebuilt library cannot load): private to agekit.
install -d -o agekit -g agekit -m 700 "$STATE_DIR/cache"
install -d -m 755 /etc/agekit
# The env file may hold an MQTT password or an HTTP token: root only (systemd reads it as root
# before starting the service as agekit). An existing one is kept, and its mode fixed.
[ -f /etc/agekit/agekit.env ] || install -m 600 -o root -g root "$PREFIX/agekit.env.example" /etc/agekit/agekit.env
chown root:root /etc/agekit/agekit.env
chmod 600 /etc/agekit/agekit.env
sed "s#/opt/agekit#$PREFIX#g" "$PREFIX/agekit.service" > /etc/systemd/system/agekit.service
systemctl daemon-reload
systemctl enable agekit.service >/dev/null 2>&1
systemctl restart agekit.service
say "agekit $version installed in $PREFIX and started as the agekit service"
say "configure: sudo nano /etc/agekit/agekit.env, then sudo systemctl restart agekit; logs: journalctl -u agekit -f"
