# GoogleTest through CTest. Every test carries one label:
#   unit         no server needed (ctest -L unit)
#   integration  talks to the real local stack (make stack-up)
#   contract     runs the contract runner against the real stack
if(NOT DRIFTLINE_BUILD_TESTS)
  return()
endif()
enable_testing()
find_package(GTest REQUIRED)
include(GoogleTest)

# driftline_test(NAME LABEL SOURCES ... DEPS ...)
function(driftline_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} driftline_warnings GTest::gtest GTest::gmock
                                        GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} DISCOVERY_TIMEOUT 30)
endfunction()
