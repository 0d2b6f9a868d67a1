# cmake -DPROGRAM=<path> -DNAME=<name> -DLIBRARIES=<lib;lib> -P version_check.cmake
# Fails unless `PROGRAM --version` exits 0 printing exactly
#   <name> <x.y.z> (commit <sha>[-dirty] | unknown)
# then a line "<lib> <version>" for each of LIBRARIES, in that order.
execute_process(COMMAND ${PROGRAM} --version RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NAME} --version exited ${rc}: ${out}${err}")
endif()
set(pattern "^${NAME} [0-9]+\\.[0-9]+\\.[0-9]+ \\(commit ([0-9a-f]+(-dirty)?|unknown)\\)")
foreach(library ${LIBRARIES})
  string(APPEND pattern "\n${library} [0-9][0-9.]*")
endforeach()
string(APPEND pattern "\n?$")
if(NOT out MATCHES "${pattern}")
  message(FATAL_ERROR "${NAME} --version printed something else:\n${out}${err}")
endif()
message(STATUS "${out}")
