#!/usr/bin/env bash
# Builds stacksim and runs the flagship experiment (HyperlyCloud, 1M requests/min).
# Installs missing system packages first. Results go to out/flagship/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target stacksim -- -j"$(nproc)"
out=out/flagship
mkdir -p "$out"
./build/release/cli/stacksim analyze experiments/hyperly-1m.json --json "$out/analysis.json" | tee "$out/report.txt"
echo
echo "results: $(pwd)/$out/analysis.json"
echo "report:  $(pwd)/$out/report.txt"
