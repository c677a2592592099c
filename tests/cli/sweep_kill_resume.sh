#!/usr/bin/env bash
# A real kill: start a sweep in its own process group, SIGKILL the whole group once some
# points have finished, re-run the same command, and check that every point is present
# exactly once, done, and that the finished points were not run again.
#   sweep_kill_resume.sh STACKSIM SRC OUT
set -euo pipefail
exe=$1 src=$2 out=$3
cd "$src"
rm -rf "$out"
args=(sweep tests/corpus/good/minimal-experiment.json --quiet -j 2 --out "$out" --set duration=10min --set warmup=2s
      --param topology.services.app.replicas=1,2,3 --param workload.rate=300/s,400/s)
total=6
setsid "$exe" "${args[@]}" >"$out.first.log" 2>&1 &
pid=$!
finished() { find "$out/points" -name results.json 2>/dev/null | wc -l; }
for _ in $(seq 1 600); do
  [ "$(finished)" -ge 1 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -KILL -- "-$pid" 2>/dev/null || { echo "the sweep ended before it could be killed"; cat "$out.first.log"; exit 1; }
wait "$pid" 2>/dev/null || true
before=$(finished)
if [ "$before" -ge "$total" ]; then echo "all $total points finished before the kill; nothing to resume"; exit 1; fi
declare -A stamp
for f in "$out"/points/*/results.json; do stamp[$f]=$(cksum <"$f"); done
"$exe" "${args[@]}" >"$out.second.log" 2>&1 || { cat "$out.second.log"; exit 1; }
grep -q "$total points, $before finished earlier (skipped), $((total - before)) to run" "$out.second.log" \
  || { echo "expected $before skipped points:"; cat "$out.second.log"; exit 1; }
for f in "${!stamp[@]}"; do
  [ "$(cksum <"$f")" = "${stamp[$f]}" ] || { echo "$f was run again"; exit 1; }
done
[ "$(grep -c '"status": "done"' "$out/sweep.json")" -eq "$total" ] || { echo "not every point is done"; exit 1; }
ids=$(grep -o '"id": "p[0-9a-f-]*"' "$out/sweep.json" | sort)
[ "$(echo "$ids" | wc -l)" -eq "$total" ] && [ "$(echo "$ids" | uniq -d | wc -l)" -eq 0 ] \
  || { echo "points missing or duplicated: $ids"; exit 1; }
[ "$(finished)" -eq "$total" ] || { echo "expected $total results files"; exit 1; }
echo "killed after $before of $total points; resumed the other $((total - before))"
