# The Studio server: one run at a time in its own thread (session.cc), the HTTP API and the page
# (server.cc, the only file that includes <httplib.h>), and the page's files embedded at build
# time from web/ (cmake/embed_files.cmake writes studio_assets.cc; assets.h declares it).
# Every file of web/ (index.html, app.js, app.css, the icon...); a file added there is embedded
# at the next build.
file(GLOB studio_web_files CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/web/*)
list(JOIN studio_web_files "|" studio_web_list)
set(studio_assets_cc ${CMAKE_CURRENT_BINARY_DIR}/studio_assets.cc)
add_custom_command(
  OUTPUT ${studio_assets_cc}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${studio_assets_cc} -DFILES=${studio_web_list}
          -P ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
  DEPENDS ${studio_web_files} ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
  COMMENT "Embedding the Studio page (src/studio/web)"
  VERBATIM)
# Byte arrays only: compiled on their own, never batched with the server's sources.
set_source_files_properties(${studio_assets_cc} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)

driftline_library(driftline_studio
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/session.cc ${CMAKE_CURRENT_LIST_DIR}/server.cc
          ${studio_assets_cc}
  DEPS driftline_studio_store driftline_studio_view driftline_contract_connect
       driftline_contract_run driftline_contract_report driftline_common
       nlohmann_json::nlohmann_json
  PRIVATE_DEPS PkgConfig::HTTPLIB)
