# A ThreadSanitizer build (-fsanitize=thread in CMAKE_CXX_FLAGS: `make tsan`,
# scripts/sanitize.sh) links every executable with libdriftline_tsan_c11_threads.so, which routes
# the C11 threads functions librdkafka calls through the pthread functions the runtime
# intercepts (cmake/tsan/c11_threads.cc says why). A shared library, so that its definitions
# take precedence over libc's for librdkafka too. Nothing changes in any other build.
if(CMAKE_CXX_FLAGS MATCHES "-fsanitize=([a-z,]*,)?thread")
  add_library(driftline_tsan_c11_threads SHARED ${CMAKE_CURRENT_LIST_DIR}/tsan/c11_threads.cc)
  set_target_properties(driftline_tsan_c11_threads PROPERTIES UNITY_BUILD OFF)
  target_link_libraries(driftline_tsan_c11_threads PRIVATE Threads::Threads)
  # Every target defined after this (all of them: this runs before the first add_subdirectory).
  link_libraries(driftline_tsan_c11_threads)
endif()
