driftline_test(driftline_studio_view_test LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/view_test.cc
  DEPS driftline_studio_view driftline_contract_test_support)
target_compile_definitions(driftline_studio_view_test PRIVATE
  DRIFTLINE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
