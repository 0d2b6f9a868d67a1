# The version and git commit the shipped binaries print with --version
# (apps/common/version_flag.h). The commit is read at every build, not only at configure time,
# and the generated file is rewritten only when it changes, so only the binaries that print it
# relink after a commit. A build from a copy without .git (a container build) can pass the
# commit in: -DDRIFTLINE_GIT_COMMIT=<sha>; otherwise it prints "unknown".
set(DRIFTLINE_GIT_COMMIT "" CACHE STRING "git commit to print with --version when the source has no .git")
set(_build_info_cc ${CMAKE_BINARY_DIR}/generated/build_info.cc)
add_custom_target(driftline_build_info_stamp
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUTPUT=${_build_info_cc}
          -DVERSION=${PROJECT_VERSION} -DCOMMIT_OVERRIDE=${DRIFTLINE_GIT_COMMIT}
          -P ${PROJECT_SOURCE_DIR}/cmake/WriteBuildInfo.cmake
  BYPRODUCTS ${_build_info_cc}
  COMMENT "" VERBATIM)
add_library(driftline_build_info STATIC ${_build_info_cc})
add_dependencies(driftline_build_info driftline_build_info_stamp)
