# The CI gate end to end: exit codes 0/1/2, baseline regressions, JUnit XML validity.
#   cmake -DEXE=... -DSRC=... -DOUT=dir -P check_gate.cmake
set(exp tests/corpus/good/slo-experiment.json)
function(stacksim expect)
  execute_process(COMMAND ${EXE} ${ARGN} WORKING_DIRECTORY ${SRC} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expect)
    string(REPLACE ";" " " shown "${ARGN}")
    message(FATAL_ERROR "stacksim ${shown}: exit ${rc}, expected ${expect}\n${out}${err}")
  endif()
  set(last_output "${out}${err}" PARENT_SCOPE)
endfunction()
function(expect_in text)
  string(FIND "${last_output}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected \"${text}\" in:\n${last_output}")
  endif()
endfunction()
# Validates a JUnit file with Python's XML parser: well-formed, and the counts add up.
function(junit_counts file tests failures)
  execute_process(COMMAND python3 -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == 'testsuites', root.tag
cases = root.findall('./testsuite/testcase')
failed = [c for c in cases if c.find('failure') is not None]
assert int(root.get('tests')) == len(cases) and int(root.get('failures')) == len(failed)
for s in root.findall('testsuite'):
    assert int(s.get('tests')) == len(s.findall('testcase'))
print(len(cases), len(failed))
" ${file} RESULT_VARIABLE rc OUTPUT_VARIABLE counts OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${file} is not valid JUnit XML: ${err}")
  endif()
  if(NOT counts STREQUAL "${tests} ${failures}")
    message(FATAL_ERROR "${file}: expected ${tests} tests and ${failures} failures, got ${counts}")
  endif()
endfunction()

# An experiment is run first, then judged: both SLOs hold.
stacksim(0 check ${exp} --quiet --out ${OUT}/good --junit ${OUT}/good.xml --markdown ${OUT}/good.md)
expect_in("PASS slo        availability")
junit_counts(${OUT}/good.xml 2 0)
# The same results document again, and against itself as the baseline: nothing regressed.
stacksim(0 check ${OUT}/good/results.json --baseline ${OUT}/good --junit ${OUT}/self.xml)
expect_in("PASS regression latency p99")
# A 1 ms latency threshold fails that SLO: exit 1, one failure in the JUnit file.
stacksim(1 check ${exp} --quiet --set slos.1.threshold=1ms --out ${OUT}/strict --junit ${OUT}/strict.xml --markdown ${OUT}/strict.md)
expect_in("FAIL slo        fast")
junit_counts(${OUT}/strict.xml 2 1)
file(READ ${OUT}/strict.md md)
string(FIND "${md}" "❌ **fail**" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the Markdown summary does not show the failure:\n${md}")
endif()
# One single-worker instance instead of two 4-worker ones queues far more: against the good
# run as the baseline, its latency regresses beyond a 1 % tolerance (the SLOs still hold).
stacksim(0 run ${exp} --quiet --set topology.services.app.replicas=1 --set topology.services.app.workers=1 --out ${OUT}/slow)
stacksim(1 check ${OUT}/slow --baseline ${OUT}/good/results.json --tolerance latency=1% --junit ${OUT}/regressed.xml)
expect_in("FAIL regression latency p99")
expect_in("PASS slo        fast")
# Bad input: exit 2 and neither a JUnit nor a Markdown file, whatever went wrong.
set(outputs --junit ${OUT}/bad.xml --markdown ${OUT}/bad.md)
stacksim(2 check ${OUT}/no-such-results.json ${outputs})
stacksim(2 check ${OUT}/good.xml ${outputs})
stacksim(2 check ${OUT}/good --tolerance latency=fast ${outputs})
expect_in("expected a number or a percentage")
stacksim(2 check ${OUT}/good --tolerance jitter=1% ${outputs})
stacksim(2 check ${OUT}/good --baseline ${OUT}/no-such-baseline.json ${outputs})
stacksim(2 check ${exp} --baseline ${OUT}/no-such-baseline.json --quiet --out ${OUT}/unused ${outputs})
if(EXISTS ${OUT}/unused/results.json)
  message(FATAL_ERROR "a bad baseline should be caught before simulating")
endif()
stacksim(2 check tests/corpus/bad/experiment.json ${outputs})
foreach(f bad.xml bad.md)
  if(EXISTS ${OUT}/${f})
    message(FATAL_ERROR "${f} was written for bad input")
  endif()
endforeach()
