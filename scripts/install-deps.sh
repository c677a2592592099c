#!/usr/bin/env bash
# Installs the Debian 12 packages stacksim needs. Idempotent: installs only what is missing.
# Works as root; uses sudo otherwise.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git python3
  libsimgrid-dev libboost-graph-dev libboost-dev nlohmann-json3-dev libeigen3-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # stacksim-gui: Qt 6 Widgets, Charts, Svg (export) and Test; Qt6OpenGL (Qt6Charts needs its CMake config) and GL headers Qt6Gui's CMake
  # config requires; Xvfb, xauth and a font for docs screenshots (tests use the offscreen platform)
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev xvfb xauth fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
