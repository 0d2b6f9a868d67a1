# The Studio server and its runs: sessions over a fake service, the HTTP API through
# cpp-httplib's client on a free loopback port (temp dirs only, no broker).
driftline_test(driftline_studio_server_test LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/session_test.cc ${CMAKE_CURRENT_LIST_DIR}/server_test.cc
  DEPS driftline_studio driftline_contract_test_support PkgConfig::HTTPLIB)

# `contract-test studio` as a process: its first line, SIGINT/SIGTERM, exit 2 on a busy port.
driftline_test(driftline_studio_cli_test LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/studio_cli_test.cc
  DEPS driftline_testkit driftline_contract_test_support PkgConfig::HTTPLIB)
add_dependencies(driftline_studio_cli_test contract-test)
target_compile_definitions(driftline_studio_cli_test PRIVATE
  DRIFTLINE_CONTRACT_TEST_BIN="$<TARGET_FILE:contract-test>")
