#!/usr/bin/env bash
# Debian packages the tests need: a virtual X server for screenshots, poppler for
# rendering and reading PDFs, and the shared libraries Qt loads. Installs only what is
# missing; needs root (CI runs as root). Safe to run repeatedly.
set -euo pipefail
need=()
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb xauth)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
for lib in libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3 \
           libxkbcommon-x11.so.0 libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 \
           libxcb-shape.so.0 libxcb-render-util.so.0 libxcb-image.so.0 libglib-2.0.so.0; do
  ldconfig -p | grep -q "$lib" || need+=("$lib")
done
[ ${#need[@]} -eq 0 ] && exit 0
pkgs=()
for n in "${need[@]}"; do
  case "$n" in
    libEGL.so.1) pkgs+=(libegl1) ;;
    libGL.so.1) pkgs+=(libgl1) ;;
    libxkbcommon.so.0) pkgs+=(libxkbcommon0) ;;
    libfontconfig.so.1) pkgs+=(libfontconfig1 fonts-dejavu-core) ;;
    libdbus-1.so.3) pkgs+=(libdbus-1-3) ;;
    libxkbcommon-x11.so.0) pkgs+=(libxkbcommon-x11-0) ;;
    libxcb-cursor.so.0) pkgs+=(libxcb-cursor0) ;;
    libxcb-icccm.so.4) pkgs+=(libxcb-icccm4) ;;
    libxcb-keysyms.so.1) pkgs+=(libxcb-keysyms1) ;;
    libxcb-shape.so.0) pkgs+=(libxcb-shape0) ;;
    libxcb-render-util.so.0) pkgs+=(libxcb-render-util0) ;;
    libxcb-image.so.0) pkgs+=(libxcb-image0) ;;
    libglib-2.0.so.0) pkgs+=(libglib2.0-0) ;;
    *) pkgs+=("$n") ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${pkgs[*]} (run: sudo apt-get install ${pkgs[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
