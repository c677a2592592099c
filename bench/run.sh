#!/usr/bin/env bash
# Engine performance, measured as ratios against a baseline in the same script (the machine
# is noisy): simulated requests per wall-second, events per second and peak RSS of
# `stacksim run` on the flagship stack and on a 3-tier stack, against a naive SimGrid
# client/server program (one put/get and one exec per request), plus memory at 2x the
# simulated duration (it must stay flat).
#   bash bench/run.sh [SECONDS]   simulated seconds of the flagship (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
cmake --preset release >/dev/null
cmake --build --preset release --target stacksim naive_baseline -- -j"$(nproc)" >/dev/null
bin=build/release/cli/stacksim
out=$(mktemp -d)

field() { python3 -c "import json,sys; d=json.load(open('$1')); print(d$2)"; }

run() {  # name experiment duration [--set ...]
  "$bin" run "$2" --quiet --set duration="$3"s --set warmup=1s --out "$out/$1" "${@:4}" >/dev/null
  local r="$out/$1/results.json"
  printf '%-28s %10.0f req/s %10.3g events/s %8.0f MiB peak RSS  (%s simulated, %s requests)\n' "$1" \
    "$(field "$r" "['wall']['requests_per_wall_s']")" "$(field "$r" "['wall']['events_per_wall_s']")" \
    "$(($(field "$r" "['wall']['peak_rss_kib']") / 1024))" "$3s" "$(field "$r" "['summary']['completed']")"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
read -r n wall base_rps base_rss < <(build/release/bench/naive_baseline 300000)
printf '%-28s %10.0f req/s %25s %8.0f MiB peak RSS\n' "naive SimGrid baseline" "$base_rps" "" "$((base_rss / 1024))"
run three-tier tests/corpus/good/minimal-experiment.json 60 --set workload.rate=5000/s --set topology.services.db.concurrency=8 \
  --set topology.services.app.replicas=8 --set topology.services.db.read_replicas=3
run three-tier-2x tests/corpus/good/minimal-experiment.json 120 --set workload.rate=5000/s --set topology.services.db.concurrency=8 \
  --set topology.services.app.replicas=8 --set topology.services.db.read_replicas=3
run flagship experiments/hyperly-1m.json "$secs"
run flagship-2x experiments/hyperly-1m.json "$((secs * 2))"
three=$(field "$out/three-tier/results.json" "['wall']['requests_per_wall_s']")
flag=$(field "$out/flagship/results.json" "['wall']['requests_per_wall_s']")
t1=$(field "$out/three-tier/results.json" "['wall']['peak_rss_kib']")
t2=$(field "$out/three-tier-2x/results.json" "['wall']['peak_rss_kib']")
f1=$(field "$out/flagship/results.json" "['wall']['peak_rss_kib']")
f2=$(field "$out/flagship-2x/results.json" "['wall']['peak_rss_kib']")
python3 - "$base_rps" "$three" "$flag" "$t1" "$t2" "$f1" "$f2" <<'PY'
import sys
base, three, flag, t1, t2, f1, f2 = map(float, sys.argv[1:])
print(f"ratio three-tier / baseline (requests per wall-second): {three / base:.2f}")
print(f"ratio flagship / baseline:                             {flag / base:.2f}")
print(f"peak RSS, three-tier at 2x simulated duration / 1x:    {t2 / t1:.2f}  (flat is 1.0)")
print(f"peak RSS, flagship at 2x / 1x:                         {f2 / f1:.2f}  (its 5M-key cache is still filling)")
PY
rm -rf "$out"
