# Language level, warnings and output layout shared by every target.
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

# ccache (installed by `make setup`) when present: a second build of unchanged sources, or the
# same sources in another clone on this machine, takes seconds. Paths are hashed relative to the
# source folder and the build folder is left out of the hash, so clones share the cache (the cost:
# debug info of a cached object names the folder of the clone that compiled it first).
# DRIFTLINE_CCACHE=OFF turns it off.
option(DRIFTLINE_CCACHE "Compile through ccache when it is installed" ON)
if(DRIFTLINE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(DRIFTLINE_CCACHE_PROGRAM ccache)
  if(DRIFTLINE_CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}
                                    CCACHE_NOHASHDIR=1 ${DRIFTLINE_CCACHE_PROGRAM})
  endif()
endif()

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

# Unity builds: each target compiles its sources in batches of 16 per translation unit, which
# halves the compile time on two cores (the heavy third-party headers are parsed once a batch,
# not once a file). Names at file scope must therefore be unique within a target, anonymous
# namespaces included. DRIFTLINE_UNITY_BUILD=OFF builds file by file.
option(DRIFTLINE_UNITY_BUILD "Compile each target's sources in batches (unity build)" ON)
if(DRIFTLINE_UNITY_BUILD)
  set(CMAKE_UNITY_BUILD ON)
  set(CMAKE_UNITY_BUILD_BATCH_SIZE 16)
endif()

option(DRIFTLINE_WERROR "Treat compiler warnings as errors (on in CI)" OFF)
option(DRIFTLINE_BUILD_TESTS "Build the test suites" ON)

set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
set(CMAKE_LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
set(CMAKE_ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)

# Applied to the project's own targets only (third-party headers are SYSTEM includes).
add_library(driftline_warnings INTERFACE)
target_compile_options(driftline_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(DRIFTLINE_WERROR)
  target_compile_options(driftline_warnings INTERFACE -Werror)
endif()

# driftline_library(NAME SOURCES ... DEPS ...): one library target per module folder.
function(driftline_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE driftline_warnings ${ARG_PRIVATE_DEPS})
endfunction()
