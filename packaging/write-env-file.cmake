# Writes the example /etc/driftline/order-service.env from the settings table order-service
# itself prints (`order-service --settings-markdown`, the README's table too), so a setting
# added, renamed or given a new default changes the file at the next `make package`: every
# variable commented out with its default. Script mode, run by the install step
# (cmake/Packaging.cmake):
#   cmake -DORDER_SERVICE=<binary> -DOUTPUT=<file> -P write-env-file.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT ORDER_SERVICE OR NOT OUTPUT)
  message(FATAL_ERROR "write-env-file.cmake: give -DORDER_SERVICE=<binary> -DOUTPUT=<file>")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/settings-table.cmake)
driftline_read_settings(${ORDER_SERVICE} setting)

set(text "# order-service settings, read by the systemd unit (order-service.service) at every start.
# Every variable is commented out with its default: uncomment and change the ones you need,
# then `systemctl restart order-service`. Flags and variables are described by
# `order-service --help` and man order-service. Generated from order-service's own settings
# table; this file is a conffile: an upgrade keeps your changes.
#
# Syntax: systemd's EnvironmentFile= (VARIABLE=value, one a line, no `export`, quotes optional).
# This file may hold credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN):
# it is readable by root only, and systemd reads it before the service drops its privileges.
# Single librdkafka properties: KAFKA_PROPERTY_<NAME>=value (upper case, dots as underscores):
#KAFKA_PROPERTY_SECURITY_PROTOCOL=SASL_SSL
")
foreach(variable IN LISTS setting_VARIABLES)
  set(meaning "${setting_${variable}_MEANING}")
  set(default "${setting_${variable}_DEFAULT}")
  if(NOT setting_${variable}_RANGE STREQUAL "")
    string(APPEND meaning " [${setting_${variable}_RANGE}]")
  endif()
  if(default STREQUAL "")
    string(APPEND meaning " [unset by default]")
  endif()
  string(APPEND text "\n# ${meaning}\n#${variable}=${default}\n")
  if(variable STREQUAL "AWS_ACCESS_KEY_ID")
    string(APPEND text "#AWS_SECRET_ACCESS_KEY=\n#AWS_SESSION_TOKEN=\n")
  endif()
endforeach()
file(WRITE "${OUTPUT}" "${text}")
