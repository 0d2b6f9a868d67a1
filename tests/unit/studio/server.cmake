# The Studio server and its runs: sessions over a fake service, the HTTP API through
# cpp-httplib's client on a free loopback port (temp dirs only, no broker).
driftline_test(driftline_studio_server_test LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/session_test.cc ${CMAKE_CURRENT_LIST_DIR}/server_test.cc
  DEPS driftline_studio driftline_contract_test_support PkgConfig::HTTPLIB)
