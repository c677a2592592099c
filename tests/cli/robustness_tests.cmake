# Bad input and faults at the CLI (issue 12, section 5). Included by tests/cli/CMakeLists.txt.
foreach(case merge_same_shard_twice merge_damaged_document check_bad_baseline sweep_unwritable_out
             analyze_json_directory run_unwritable_out_fails_fast run_disk_full_keeps_pair
             replications_replace_single_run progress_by_wall_clock out_of_memory_is_a_message)
  add_test(NAME cli.robustness.${case}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/robustness.sh $<TARGET_FILE:stacksim> ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/robustness-${case} ${case})
  set_tests_properties(cli.robustness.${case} PROPERTIES TIMEOUT 300)
endforeach()
# A memory limit (ulimit -v) cannot coexist with AddressSanitizer's shadow memory.
if(STACKSIM_SANITIZE)
  set_tests_properties(cli.robustness.out_of_memory_is_a_message PROPERTIES DISABLED TRUE)
endif()
# A bare 0 is zero in every unit.
stacksim_cli_test(validate_warmup_zero 0 "validate tests/corpus/good/minimal-experiment.json --set warmup=0")
stacksim_cli_test(validate_duplicate_keys 2 "validate tests/corpus/bad/duplicate-keys.json")

# A seeded short fuzzing campaign (scripts/fuzz.py): mutated shipped files through validate,
# analyze and 1 s runs; no crash, hang, unlocated rejection or library message.
find_package(Python3 COMPONENTS Interpreter)
# Under the sanitizers every step is ~10x slower: fewer inputs, each still checked by ASan/UBSan.
if(STACKSIM_SANITIZE)
  set(_fuzz_size --count 60 --run-fraction 0.2 --timeout 120 --run-timeout 300)
else()
  set(_fuzz_size --count 200 --run-fraction 0.5 --timeout 60 --run-timeout 120)
endif()
if(Python3_FOUND)
  add_test(NAME cli.fuzz_short
           COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/fuzz.py --exe $<TARGET_FILE:stacksim>
                   --seed 20261208 --jobs 2 ${_fuzz_size} --keep ${CMAKE_CURRENT_BINARY_DIR}/fuzz-findings)
  set_tests_properties(cli.fuzz_short PROPERTIES TIMEOUT 600 LABELS fuzz)
endif()
