#!/usr/bin/env bash
# Builds stacksim and runs the full test suite: the release build, then the debug build with
# AddressSanitizer + UBSan. Installs missing system packages first.
#   scripts/test.sh            both builds
#   scripts/test.sh release    release only (quicker while developing)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
presets=("${@:-release debug}")
for preset in ${presets[@]}; do
  echo "== $preset: configure, build, test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -- -j"$(nproc)"
  ctest --preset "$preset"
done
echo "== all tests passed (${presets[*]})"
