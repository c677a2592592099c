# `stacksim check`, the CI gate (see check_gate.cmake).
add_test(NAME cli.check_gate
         COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:stacksim> -DSRC=${PROJECT_SOURCE_DIR}
                 -DOUT=${CMAKE_CURRENT_BINARY_DIR}/check -P ${CMAKE_CURRENT_SOURCE_DIR}/check_gate.cmake)
stacksim_cli_test(help_check 0 "check --help")
