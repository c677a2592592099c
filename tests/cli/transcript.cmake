# Runs one stacksim command from the source directory and checks its exit code and, when a
# golden transcript is given, its combined stdout+stderr (tesh-style, as in SimGrid's examples).
# Set STACKSIM_UPDATE_GOLDEN=1 in the environment to rewrite the golden file instead.
#   cmake -DEXE=... -DSRC=... -DARGS="a;b" -DEXIT=0 [-DGOLDEN=file] [-DJSON_OUT=file] -P transcript.cmake
separate_arguments(ARGS NATIVE_COMMAND "${ARGS}")
execute_process(COMMAND ${EXE} ${ARGS} WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
string(REPLACE ";" " " shown "${ARGS}")
# Diagnostics (stderr) first, then the summary (stdout): the order a terminal shows them in.
set(transcript "$ stacksim ${shown}\n${err}${out}")
if(NOT rc EQUAL EXIT)
  message(FATAL_ERROR "exit code ${rc}, expected ${EXIT}\n${transcript}")
endif()
if(GOLDEN)
  if("$ENV{STACKSIM_UPDATE_GOLDEN}" STREQUAL "1")
    file(WRITE ${GOLDEN} "${transcript}")
  endif()
  file(READ ${GOLDEN} expected)
  if(NOT transcript STREQUAL expected)
    file(WRITE ${GOLDEN}.actual "${transcript}")
    message(FATAL_ERROR "transcript differs from ${GOLDEN} (actual output in ${GOLDEN}.actual):\n${transcript}")
  endif()
endif()
if(JSON_OUT)
  file(READ ${JSON_OUT} doc)
  string(JSON kind ERROR_VARIABLE json_err GET "${doc}" kind)
  if(json_err OR NOT kind STREQUAL "analysis")
    message(FATAL_ERROR "${JSON_OUT} is not an analysis document: ${json_err}")
  endif()
endif()
