# `stacksim report`: included by tests/cli/CMakeLists.txt to register the tests, and run as a
# script (cmake -P, CMAKE_SCRIPT_MODE_FILE set) to perform them:
#   cmake -DEXE=stacksim -DSRC=source-dir -DOUT=scratch-dir -DMODE=fresh|bad -P report_tests.cmake
if(NOT CMAKE_SCRIPT_MODE_FILE)
  # Reports on the hand-made fixtures (SLOs, alerts, faults, cost, a sweep) and on fresh runs.
  stacksim_cli_test(help_report 0 "report --help")
  stacksim_cli_test(report_fixture_run 0 "report tests/corpus/results/run-slo-faults.json -o ${CMAKE_CURRENT_BINARY_DIR}/report-fixture/run.html")
  stacksim_cli_test(report_fixture_sweep 0 "report tests/corpus/results/sweep-small.json -o ${CMAKE_CURRENT_BINARY_DIR}/report-fixture/sweep.html")
  foreach(mode fresh bad)
    add_test(NAME cli.report_${mode}
             COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:stacksim> -DSRC=${PROJECT_SOURCE_DIR}
                     -DOUT=${CMAKE_CURRENT_BINARY_DIR}/report-${mode} -DMODE=${mode}
                     -P ${CMAKE_CURRENT_LIST_FILE})
  endforeach()
  return()
endif()

function(stacksim_run expected_rc)
  execute_process(COMMAND ${EXE} ${ARGN} WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  string(REPLACE ";" " " shown "${ARGN}")
  if(NOT rc EQUAL expected_rc)
    message(FATAL_ERROR "$ stacksim ${shown}\nexit code ${rc}, expected ${expected_rc}\n${err}${out}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

# A report that is a whole, self-contained page.
function(check_report path)
  if(NOT EXISTS ${path})
    message(FATAL_ERROR "${path} was not written")
  endif()
  file(READ ${path} html)
  foreach(needle "<!DOCTYPE html>" "</html>" "<svg" "@media print" ${ARGN})
    string(FIND "${html}" "${needle}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${path} lacks \"${needle}\"")
    endif()
  endforeach()
  foreach(forbidden "<script" "https://" "<link")
    string(FIND "${html}" "${forbidden}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${path} contains \"${forbidden}\" (must be self-contained)")
    endif()
  endforeach()
endfunction()

file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})

if(MODE STREQUAL "fresh")
  # One run, by directory.
  stacksim_run(0 run tests/corpus/good/minimal-experiment.json --quiet --out ${OUT}/run)
  stacksim_run(0 report ${OUT}/run -o ${OUT}/run.html)
  if(NOT out STREQUAL "report: ${OUT}/run.html\n")
    message(FATAL_ERROR "unexpected output: ${out}")
  endif()
  check_report(${OUT}/run.html "Latency over time" "Utilisation per component" "Analytic cross-check" "Assumptions")
  # Replications: the aggregate table, charts from rep-0.
  stacksim_run(0 run tests/corpus/good/minimal-experiment.json -r 2 -j 2 --quiet --out ${OUT}/reps)
  stacksim_run(0 report ${OUT}/reps/results.json -o ${OUT}/reps.html)
  check_report(${OUT}/reps.html "± 95% CI" "Latency quantiles")
  # Several documents at once: the two runs overlaid, the sweep beside them.
  stacksim_run(0 report ${OUT}/run/results.json tests/corpus/results/run-slo-faults.json tests/corpus/results/sweep-small.json
               -o ${OUT}/many.html --title "fresh vs fixture")
  check_report(${OUT}/many.html "fresh vs fixture" "zone-outage-demo" "Recommended:" "Error budget remaining")
elseif(MODE STREQUAL "bad")
  file(WRITE ${OUT}/truncated.json "{\"kind\": \"run\", ")
  file(WRITE ${OUT}/analysis.json "{\"kind\": \"analysis\"}")
  file(MAKE_DIRECTORY ${OUT}/empty-dir)
  set(cases "no/such/results.json|no/such/results.json: no such file or directory"
            "${OUT}/truncated.json|${OUT}/truncated.json: not JSON"
            "${OUT}/analysis.json|${OUT}/analysis.json: unknown kind \"analysis\""
            "${OUT}/empty-dir|${OUT}/empty-dir: directory holds neither")
  foreach(case IN LISTS cases)
    string(REPLACE "|" ";" parts "${case}")
    list(GET parts 0 input)
    list(GET parts 1 expected)
    # Together with a good document: still nothing is written.
    stacksim_run(2 report tests/corpus/results/run-slo-faults.json ${input} -o ${OUT}/report.html)
    string(FIND "${err}" "${expected}" at)
    if(NOT at EQUAL 0)
      message(FATAL_ERROR "stderr does not start with \"${expected}\":\n${err}")
    endif()
    if(EXISTS ${OUT}/report.html)
      message(FATAL_ERROR "a report was written for bad input ${input}")
    endif()
  endforeach()
  stacksim_run(2 report)  # no input at all: usage error
else()
  message(FATAL_ERROR "unknown MODE ${MODE}")
endif()
