# `stacksim check` on a shipped experiment's results: a verdict (exit 0 or 1) and valid JUnit,
# never bad input (2).   cmake -DEXE=... -DRESULTS=dir -P check_shipped.cmake
execute_process(COMMAND ${EXE} check ${RESULTS} --junit ${RESULTS}/junit.xml RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT (rc EQUAL 0 OR rc EQUAL 1))
  message(FATAL_ERROR "check exited ${rc}\n${out}${err}")
endif()
execute_process(COMMAND python3 -c "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])" ${RESULTS}/junit.xml
                RESULT_VARIABLE xml_rc ERROR_VARIABLE xml_err)
if(NOT xml_rc EQUAL 0)
  message(FATAL_ERROR "invalid JUnit XML: ${xml_err}")
endif()
