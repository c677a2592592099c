#!/usr/bin/env bash
# Builds stacksim and runs the flagship experiment (HyperlyCloud, 1M requests/min, 5.5 simulated
# minutes: a 2.5-minute warm-up while the cache fills, then 3 measured minutes, about 3M
# requests): the SimGrid simulation with the analytic model beside it, the steady-state
# verdict, SLO verdicts, error budgets and cost, and an HTML report.
# Installs missing system packages first. Results go to out/flagship/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target stacksim -- -j"$(nproc)"
out=out/flagship
mkdir -p "$out"
./build/release/cli/stacksim analyze experiments/hyperly-1m.json --json "$out/analysis.json" > "$out/analysis.txt"
./build/release/cli/stacksim run experiments/hyperly-1m.json --out "$out" | tee "$out/report.txt"
./build/release/cli/stacksim report "$out" -o "$out/report.html" >/dev/null
echo
echo "results:  $(pwd)/$out/results.json (series: $out/series.csv)"
echo "report:   $(pwd)/$out/report.html (SRE report: SLOs, budgets, charts, cost; the summary above is $out/report.txt)"
echo "analysis: $(pwd)/$out/analysis.txt (instant queueing-theory estimate, also $out/analysis.json)"
