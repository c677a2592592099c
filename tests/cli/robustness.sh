#!/usr/bin/env bash
# Bad input and faults at the CLI (issue 12, section 5): one case per invocation.
#   robustness.sh STACKSIM SRC OUT CASE
set -uo pipefail
exe=$1 src=$2 out=$3 case=$4
cd "$src"
rm -rf "$out"
mkdir -p "$out"
exp=tests/corpus/good/minimal-experiment.json
fail() { echo "FAIL: $*"; exit 1; }
# run_expect RC CMD...: runs, keeps stdout+stderr in $log, fails unless the exit code is RC.
run_expect() {
  local want=$1; shift
  log=$("$@" 2>&1); local rc=$?
  [ "$rc" -eq "$want" ] || fail "exit $rc, expected $want: $*"$'\n'"$log"
}
no_library_text() { ! grep -qE '\[json\.exception|what\(\)|Success$' <<<"$log" || fail "library text reached the user:"$'\n'"$log"; }
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d"+sys.argv[2]))' "$@"; }

case $case in
merge_same_shard_twice)
  # The same shard in two directories: byte-identical points are ignored (docs/sweep.md).
  args=(sweep "$exp" --quiet --set duration=2s --set warmup=0s --param workload.rate=50/s,100/s)
  run_expect 0 "$exe" "${args[@]}" --shard 0/2 --out "$out/a"
  run_expect 0 "$exe" "${args[@]}" --shard 1/2 --out "$out/c"
  cp -r "$out/a" "$out/b"
  run_expect 0 "$exe" merge "$out/a" "$out/b" "$out/c" --out "$out/m"
  grep -q "merged 3 documents, 2 points" <<<"$log" || fail "$log"
  # A point that differs is still refused, naming both files.
  sed -i 's/"status": "done"/"status": "failed"/' "$out/b/sweep-shard-0-of-2.json"
  run_expect 2 "$exe" merge "$out/a" "$out/b" "$out/c" --out "$out/m2"
  grep -q "appears in .*a/sweep-shard-0-of-2.json and .*b/sweep-shard-0-of-2.json with different results" <<<"$log" || fail "$log"
  ;;
merge_damaged_document)
  # Damaged shard documents: FILE:/pointer: expected ..., never a library exception.
  run_expect 0 "$exe" sweep "$exp" --quiet --set duration=2s --set warmup=0s --param workload.rate=50/s --out "$out/s"
  doc="$out/s/sweep.json"
  for edit in 'd["shard"]["count"] = "one"' 'd["plan"]["ids"].insert(0, 7)' 'd["points"].insert(0, 5)' \
              'd["points"][0]["index"] = "first"'; do
    python3 -c "import json, sys; d = json.load(open(sys.argv[1])); $edit; json.dump(d, open(sys.argv[2], 'w'))" "$doc" "$out/bad.json"
    run_expect 2 "$exe" merge "$out/bad.json" --out "$out/m"
    no_library_text
    grep -qE "bad.json:/(shard|plan/ids/0|points/0)(: expected|: point .* is damaged)" <<<"$log" || fail "no pointer for $edit: $log"
  done
  ;;
check_bad_baseline)
  # A malformed baseline is named as the baseline, not as the input.
  run_expect 0 "$exe" run "$exp" --quiet --set duration=2s --set warmup=0s --out "$out/r"
  echo '{"kind": "replications", "aggregate": [5]}' >"$out/base.json"
  run_expect 2 "$exe" check "$out/r" --baseline "$out/base.json"
  no_library_text
  grep -q "^$out/base.json: not a usable baseline" <<<"$log" || fail "$log"
  ;;
sweep_unwritable_out)
  run_expect 2 "$exe" sweep "$exp" --quiet --param workload.rate=50/s --out /proc/stacksim-no-such-dir
  grep -q "another sweep" <<<"$log" && fail "an unwritable --out is not another sweep: $log"
  grep -q "/proc/stacksim-no-such-dir: cannot create the output directory" <<<"$log" || fail "$log"
  ;;
analyze_json_directory)
  run_expect 2 "$exe" analyze "$exp" --json "$out/"
  no_library_text
  grep -q "is a directory, expected a file path" <<<"$log" || fail "$log"
  ;;
run_unwritable_out_fails_fast)
  # A whole hour of simulation would take minutes; the --out check comes first.
  start=$(date +%s)
  run_expect 2 "$exe" run "$exp" --quiet --set duration=1h --out /proc/stacksim-no-such-dir
  [ $(( $(date +%s) - start )) -lt 10 ] || fail "the run simulated before finding --out unwritable"
  grep -q "cannot create the output directory" <<<"$log" || fail "$log"
  ;;
run_disk_full_keeps_pair)
  # A full disk (here a file size limit: series.csv fits, results.json does not) must leave
  # the previous results.json + series.csv pair as it was.
  run_expect 0 "$exe" run "$exp" --quiet --set duration=10s --seed 1 --out "$out/r"
  before=$(cat "$out/r/results.json" "$out/r/series.csv" | cksum)
  series=$(stat -c %s "$out/r/series.csv") results=$(stat -c %s "$out/r/results.json")
  limit=$(( (series + results) / 2 / 1024 ))
  [ $(( limit * 1024 )) -gt $(( series + 2048 )) ] && [ $(( limit * 1024 )) -lt "$results" ] || fail "sizes $series/$results"
  run_expect 2 bash -c "trap '' XFSZ; ulimit -f $limit; exec \"$exe\" run \"$exp\" --quiet --set duration=10s --seed 2 --out \"$out/r\""
  grep -q "results.json: write failed" <<<"$log" || fail "$log"
  [ "$(cat "$out/r/results.json" "$out/r/series.csv" | cksum)" = "$before" ] || fail "the pair changed: a new series.csv beside the old results.json"
  ls "$out/r" | grep -q tmp && fail "temporary files left: $(ls "$out/r")"
  ;;
replications_replace_single_run)
  # -r into the folder of an earlier single run: no stale series.csv beside the pooled document;
  # replication seeds stay within the documented 0 .. 2^53 - 1.
  run_expect 0 "$exe" run "$exp" --quiet --set duration=2s --set warmup=0s --out "$out/r"
  [ -f "$out/r/series.csv" ] || fail "no series.csv"
  run_expect 0 "$exe" run "$exp" --quiet --set duration=2s --set warmup=0s -r 3 -j 2 --seed 12345 --out "$out/r"
  [ -f "$out/r/series.csv" ] && fail "a stale series.csv is left beside the replications document"
  for i in 0 1 2; do
    [ -f "$out/r/rep-$i/series.csv" ] || fail "rep-$i has no series.csv"
    seed=$(json_get "$out/r/rep-$i/results.json" '["engine"]["seed"]')
    [ "$seed" -le 9007199254740991 ] || fail "replication $i seed $seed is above 2^53 - 1"
  done
  [ "$(json_get "$out/r/rep-1/results.json" '["engine"]["seed"]')" != 12345 ] || fail "replication 1 reuses the seed"
  run_expect 2 "$exe" run "$exp" --quiet --seed 9007199254740992 --out "$out/big"
  grep -q "above the largest seed" <<<"$log" || fail "$log"
  ;;
progress_by_wall_clock)
  # One interval that takes seconds of wall time still gets ~10 progress lines a second.
  log=$("$exe" run "$exp" --progress-jsonl --set workload.rate=8000/s --set topology.services.app.replicas=8 \
        --set duration=20s --set warmup=0s --set interval=20s --out "$out/p" 2>&1 >/dev/null) || fail "$log"
  n=$(grep -c '"event":"progress"' <<<"$log")
  before=$(sed '/"event":"interval"/q' <<<"$log" | grep -c '"event":"progress"')
  wall=$(json_get "$out/p/results.json" '["wall"]["wall_time_s"]')
  echo "progress lines: $n ($before before the only interval), wall ${wall}s"
  python3 -c "import sys; w=float(sys.argv[1]); b=int(sys.argv[2]); sys.exit(0 if w < 0.5 or b >= 3 * w else 1)" "$wall" "$before" \
    || fail "$before progress lines in ${wall}s of wall time before the interval closed"
  python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 0.5 else 1)" "$wall" || fail "the run was too quick (${wall}s) to show anything"
  ;;
out_of_memory_is_a_message)
  # Under a memory limit, an input too large for it ends in a message and exit 2, not an abort
  # (std::bad_alloc inside the JSON parser cannot be unwound: its destructor allocates).
  python3 -c "import sys; sys.stdout.write('{\"_x\": [' + ','.join(['[1,2,3,4,5,6,7,8]'] * 2500000) + ']}')" >"$out/big.json"
  run_expect 2 bash -c "ulimit -v 600000; exec \"$exe\" validate \"$out/big.json\""
  grep -q "big.json: more than 4 million values" <<<"$log" || fail "$log"
  ;;
*) fail "unknown case $case" ;;
esac
echo "ok: $case"
