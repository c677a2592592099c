# The analytic model through the CLI (docs/analytic-model.md, docs/cli.md).
function(stacksim_expect_output name exit args expect reject)
  add_test(NAME cli.${name}
           COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:stacksim> -DSRC=${PROJECT_SOURCE_DIR} "-DARGS=${args}"
                   -DEXIT=${exit} "-DEXPECT=${expect}" "-DREJECT=${reject}"
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/expect_output.cmake)
endfunction()

# Nearly deterministic latencies have quantiles, and no library's text reaches the user.
stacksim_expect_output(analyze_near_deterministic 0 "analyze tests/corpus/analytic/near-deterministic.json"
                       "all requests +100% +10/s +3.0[0-9]ms" "boost;tgamma;iterations")
# ... and `run` keeps its analytic block (the est. columns are filled).
stacksim_expect_output(run_near_deterministic 0
                       "run tests/corpus/analytic/near-deterministic.json --set duration=5s --out ${CMAKE_CURRENT_BINARY_DIR}/run-near-deterministic"
                       "all requests.*[|] +3.0[0-9]ms" "boost;tgamma;no estimate")
# The run summary flags a p99 gap (the mean agrees) and shows the busiest instance.
stacksim_expect_output(run_flags_p99 0
                       "run tests/corpus/analytic/analytic-p99-gap.json --out ${CMAKE_CURRENT_BINARY_DIR}/run-p99-gap"
                       "e +[0-9]+ .*<- p99 differs;utilisation max inst[.];app +node_service +2 +0[.]0[0-9]+ +0[.]0[0-9]+"
                       "mean differs;mean, p99 differ")
# No estimate: `analyze` says why in its own words (exit 2); `run` simulates, keeps the
# analytic block's error and says so in its summary.
stacksim_expect_output(analyze_no_estimate 2 "analyze tests/corpus/analytic/endless-async-loop.json"
                       "endless-async-loop.json: the traffic equations have no solution" "exception;boost;Eigen")
stacksim_expect_output(run_no_estimate 0
                       "run tests/corpus/analytic/endless-async-loop.json --out ${CMAKE_CURRENT_BINARY_DIR}/run-no-estimate"
                       "analytic model: no estimate for this run [(]the traffic equations" "")
