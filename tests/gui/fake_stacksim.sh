#!/usr/bin/env bash
# A stand-in for `stacksim run --progress-jsonl` in the GUI tests (no SimGrid needed): it
# speaks the same JSON lines on stderr (docs/cli.md). Behaviour from FAKE_STACKSIM_MODE:
#   ok    start, 3 interval rows with progress, results.json copied from FAKE_STACKSIM_RESULTS
#         (written via a temporary file + rename, like the CLI), done; exit 0
#   slow  start, then a progress line every 0.05 s for 60 s without writing results (cancel)
#   fail  an error message (not JSON) on stderr; exit 2
set -u
[ "${1:-}" = run ] || { echo "fake stacksim: expected 'run'" >&2; exit 2; }
exp="$2"; out=""
shift 2
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --set) echo "{\"event\":\"note\",\"set\":\"$2\"}" >&2; shift 2 ;;
    *) shift ;;
  esac
done
mode="${FAKE_STACKSIM_MODE:-ok}"
if [ "$mode" = fail ]; then
  echo "$exp:/workload/rate: expected a rate such as \"1M/min\", got \"fast\"" >&2
  exit 2
fi
echo '{"event":"start","name":"fake","experiment":"'"$exp"'","duration_s":3,"warmup_s":0,"interval_s":1,"seed":1}' >&2
if [ "$mode" = slow ]; then
  for i in $(seq 1 1200); do
    echo '{"event":"progress","sim_s":'"$i"',"end_s":100000,"events":'"$((i * 1000))"'}' >&2
    sleep 0.05
  done
  exit 0
fi
for t in 1 2 3; do
  echo '{"event":"interval","t_s":'"$t"',"arrivals_rps":100,"completed_rps":'"$((90 + t))"',"errors_rps":1,"p50_s":0.01,"p95_s":0.02,"p99_s":0.0'"$t"',"utilisation":{"api":0.5}}' >&2
  echo '{"event":"progress","sim_s":'"$t"',"end_s":3,"events":'"$((t * 500))"'}' >&2
done
mkdir -p "$out"
cp "$FAKE_STACKSIM_RESULTS" "$out/.results.json.tmp" && mv "$out/.results.json.tmp" "$out/results.json"
echo '{"event":"done","results":"'"$out"'/results.json"}' >&2
echo "summary on stdout"
exit 0
