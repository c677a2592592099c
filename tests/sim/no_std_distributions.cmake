# Guard (docs/simulation.md): the simulator draws every random number with its own samplers
# (sim/random/sampler.hpp), never <random>'s std::*_distribution, whose algorithms differ
# between standard libraries. Fails naming each offending line.
#   cmake -DSRC=<source dir> -P no_std_distributions.cmake
file(GLOB_RECURSE sources ${SRC}/sim/*.cpp ${SRC}/sim/*.hpp)
set(found "")
foreach(f ${sources})
  file(STRINGS ${f} lines REGEX "std::[a-z_]+_distribution")
  foreach(l ${lines})
    string(APPEND found "${f}: ${l}\n")
  endforeach()
endforeach()
if(found)
  message(FATAL_ERROR "std:: distributions in sim/ (use sim/random/sampler.hpp):\n${found}")
endif()
list(LENGTH sources n)
if(n LESS 10)
  message(FATAL_ERROR "only ${n} sources found under ${SRC}/sim: the guard would check nothing")
endif()
message(STATUS "${n} simulator sources, no std:: distribution")
