# `stacksim sweep` and `stacksim merge` (docs/sweep.md). Included by tests/cli/CMakeLists.txt.
stacksim_cli_test(help_sweep 0 "sweep --help")
stacksim_cli_test(help_merge 0 "merge --help")
stacksim_cli_test(sweep_bad_param 2 "sweep tests/corpus/good/minimal-experiment.json --param replicas --quiet")
stacksim_cli_test(sweep_bad_param_value 2 "sweep tests/corpus/good/minimal-experiment.json --param workload.rate=1/s,,2/s --quiet")
stacksim_cli_test(sweep_bad_shard 2 "sweep tests/corpus/good/minimal-experiment.json --param workload.rate=1/s --shard 2/2 --quiet")
stacksim_cli_test(sweep_nothing_to_sweep 2 "sweep tests/corpus/good/minimal-experiment.json --quiet")
stacksim_cli_test(sweep_no_presets 2 "sweep tests/corpus/good/minimal-experiment.json --horizontal --quiet")
# A point that does not validate stops the sweep before anything runs.
stacksim_cli_test(sweep_bad_point 2 "sweep tests/corpus/good/minimal-experiment.json --param topology.services.app.replicas=1,-1 --quiet --out ${CMAKE_CURRENT_BINARY_DIR}/sweep-bad-point")
stacksim_cli_test(merge_nothing 2 "merge ${CMAKE_CURRENT_BINARY_DIR}/no-such-sweep")
# The shipped capacity experiment: its preset points (golden list).
stacksim_cli_test(sweep_list_capacity 0 "sweep experiments/hyperly-capacity.json --list" GOLDEN sweep-list-capacity.txt)

# The shipped capacity experiment runs end to end (shortened: a smoke test, not the answer).
stacksim_cli_test(sweep_capacity_smoke 0 "sweep experiments/hyperly-capacity.json --horizontal -j 2 --quiet --set duration=3s --set warmup=1s --out ${CMAKE_CURRENT_BINARY_DIR}/sweep-capacity")

set(_sweep_args -DEXE=$<TARGET_FILE:stacksim> -DSRC=${PROJECT_SOURCE_DIR})
# 2x2 grid: 4 done points, sweep.json/csv; resume re-runs only a deleted and a corrupted point.
add_test(NAME cli.sweep_grid_resume
         COMMAND ${CMAKE_COMMAND} ${_sweep_args} -DOUT=${CMAKE_CURRENT_BINARY_DIR}/sweep-grid
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/sweep_grid.cmake)
# Presets; shards 0/2 + 1/2 (same directory, and separate directories) merge into the
# unsharded result; a missing shard is reported.
add_test(NAME cli.sweep_shards_merge
         COMMAND ${CMAKE_COMMAND} ${_sweep_args} -DOUT=${CMAKE_CURRENT_BINARY_DIR}/sweep-shards
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/sweep_shards.cmake)
# A real kill: SIGKILL the sweep's process group mid-run, re-run, every point exactly once.
add_test(NAME cli.sweep_kill_resume
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep_kill_resume.sh $<TARGET_FILE:stacksim> ${PROJECT_SOURCE_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/sweep-kill)
set_tests_properties(cli.sweep_grid_resume cli.sweep_shards_merge cli.sweep_kill_resume PROPERTIES TIMEOUT 600)
# Process orchestration (kill, resume, shards) is about the sweep driver, not memory safety:
# the `slow` label keeps these out of the ASan debug run, where they take minutes.
set_tests_properties(cli.sweep_shards_merge cli.sweep_kill_resume PROPERTIES LABELS slow)
