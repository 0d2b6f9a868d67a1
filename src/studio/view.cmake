# The pure view layer of Studio: the loaded contract, test and suite results and the live
# message timeline as the JSON the page reads. No I/O.
driftline_library(driftline_studio_view
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/view.cc
  DEPS driftline_contract_report driftline_contract_run driftline_contract_check
       driftline_contract_spec driftline_common nlohmann_json::nlohmann_json)
