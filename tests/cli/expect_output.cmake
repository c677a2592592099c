# Runs one stacksim command from the source directory, checks its exit code, that its combined
# output matches every regex in EXPECT and none in REJECT (for outputs too volatile for a golden
# transcript: simulated numbers, sections others add).
#   cmake -DEXE=... -DSRC=... -DARGS="a;b" -DEXIT=0 "-DEXPECT=re1;re2" "-DREJECT=re3" -P expect_output.cmake
separate_arguments(ARGS NATIVE_COMMAND "${ARGS}")
execute_process(COMMAND ${EXE} ${ARGS} WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
set(all "${err}${out}")
if(NOT rc EQUAL EXIT)
  message(FATAL_ERROR "exit code ${rc}, expected ${EXIT}\n${all}")
endif()
foreach(re IN LISTS EXPECT)
  if(NOT all MATCHES "${re}")
    message(FATAL_ERROR "output lacks /${re}/:\n${all}")
  endif()
endforeach()
foreach(re IN LISTS REJECT)
  if(all MATCHES "${re}")
    message(FATAL_ERROR "output has /${re}/:\n${all}")
  endif()
endforeach()
