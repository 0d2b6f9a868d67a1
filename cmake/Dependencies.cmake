# Third-party libraries. Every one comes from a Debian package installed by `make setup`
# (scripts/setup.sh lists them); none is vendored or downloaded at build time.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)   # librdkafka-dev
find_package(CURL REQUIRED)                                    # libcurl4-openssl-dev
find_package(nlohmann_json 3.10 REQUIRED)                      # nlohmann-json3-dev
# rapidjson-dev, header-only: the hot path's JSON (SQS send/delete bodies and responses), where
# writing and reading without an nlohmann document saves allocations per message.
find_package(RapidJSON 1.1 REQUIRED)
if(NOT TARGET RapidJSON::RapidJSON)
  add_library(RapidJSON::RapidJSON INTERFACE IMPORTED)
  target_include_directories(RapidJSON::RapidJSON INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
endif()
find_package(tl-expected REQUIRED)                             # libexpected-dev
find_package(spdlog REQUIRED)                                  # libspdlog-dev
find_package(CLI11 REQUIRED)                                   # libcli11-dev
find_package(OpenSSL REQUIRED)                                 # libssl-dev: MD5, HMAC, base64
find_package(prometheus-cpp REQUIRED)                          # prometheus-cpp-dev: metrics
find_package(civetweb REQUIRED)                                # libcivetweb-dev: /healthz, /metrics
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)   # libsqlite3-dev: the Studio's run history
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)  # libcpp-httplib-dev: the Studio's HTTP server
