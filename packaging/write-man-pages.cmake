# Writes the man pages of the shipped binaries with help2man from their own --help, so a page
# cannot say something the binary does not: order-service(1), contract-test(1), dlq-redrive(1)
# and one page per contract-test subcommand (contract-test-studio(1), -mock, -compat), each
# gzipped (-9n, as Debian wants). Script mode, run by the install step (cmake/Packaging.cmake):
#   cmake -DHELP2MAN=<help2man> -DBIN_DIR=<dir of the binaries> -DOUTPUT_DIR=<dir>
#         -DVERSION=<version> -DINCLUDE_DIR=<packaging/man> -P write-man-pages.cmake
# The binaries run by name from BIN_DIR on PATH, so each page's synopsis says `order-service`,
# not the build folder's path. SOURCE_DATE_EPOCH (if set) dates the pages.
cmake_minimum_required(VERSION 3.25)
foreach(v HELP2MAN BIN_DIR OUTPUT_DIR VERSION INCLUDE_DIR)
  if(NOT ${v})
    message(FATAL_ERROR "write-man-pages.cmake: -D${v}= is missing")
  endif()
endforeach()

# page | command run (a program in BIN_DIR, or a wrapper for a subcommand) | NAME line |
# "settings" when the binary has a settings table (--settings-markdown): its page gets an
# ENVIRONMENT section listing every variable, in place of the help's one-line footer.
set(pages
  "order-service|order-service|Kafka to SQS order bridge with a retry topic and a dead-letter topic|settings"
  "contract-test|contract-test|run an AsyncAPI 3.0 contract's examples against a running service|settings"
  "contract-test-studio|contract-test studio|Studio, a local web app over contract-test runs|"
  "contract-test-mock|contract-test mock|play the provider an AsyncAPI 3.0 contract describes|"
  "contract-test-compat|contract-test compat|is a new version of an AsyncAPI 3.0 contract backward-compatible|"
  "dlq-redrive|dlq-redrive|re-publish order-service's dead letters to its input topic|settings")
include(${CMAKE_CURRENT_LIST_DIR}/settings-table.cmake)

# Text as roff: backslashes escaped, a line never starting with a control character.
function(roff out text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  set(${out} "\\&${text}" PARENT_SCOPE)
endfunction()

file(MAKE_DIRECTORY "${OUTPUT_DIR}")
set(wrappers "${OUTPUT_DIR}/wrappers")
file(MAKE_DIRECTORY "${wrappers}")
set(path "${wrappers}:${BIN_DIR}:$ENV{PATH}")
find_program(GZIP gzip REQUIRED)

foreach(entry IN LISTS pages)
  string(REPLACE "|" ";" entry "${entry}")
  list(GET entry 0 page)
  list(GET entry 1 command)
  list(GET entry 2 name)
  list(GET entry 3 settings)
  set(program "${page}")
  if(settings)
    # The ENVIRONMENT section replaces the help's footer ("Settings without a flag"), which
    # help2man would run together into one paragraph: a wrapper drops the footer.
    driftline_read_settings(${BIN_DIR}/${page} setting)
    set(environment
        "[ENVIRONMENT]\nEvery setting is an environment variable; a flag, where there is one, wins.\n")
    foreach(variable IN LISTS setting_VARIABLES)
      set(details "")
      foreach(field FLAG DEFAULT RANGE)
        set(value "${setting_${variable}_${field}}")
        if(value STREQUAL "")
          continue()
        endif()
        string(TOLOWER "${field}" label)
        if(field STREQUAL "FLAG")
          set(label "flag")
        endif()
        list(APPEND details "${label} ${value}")
      endforeach()
      list(JOIN details ", " details)
      roff(meaning "${setting_${variable}_MEANING}")
      roff(details "${details}")
      string(APPEND environment ".TP\n.B ${variable}\n${meaning}\n")
      if(NOT details STREQUAL "\\&")
        string(APPEND environment ".br\n${details}\n")
      endif()
    endforeach()
    file(WRITE "${wrappers}/${page}" "#!/bin/bash\n( exec -a ${page} \"${BIN_DIR}/${page}\" \"$@\" ) |
  sed '/^Settings without a flag/,$d'\n")
    file(CHMOD "${wrappers}/${page}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  elseif(NOT command STREQUAL page)
    # A subcommand: help2man runs a program, so a wrapper named after the page runs it. exec by
    # name keeps argv[0] `contract-test`, which is what the help's usage line prints.
    file(WRITE "${wrappers}/${page}" "#!/bin/sh\nexec ${command} \"$@\"\n")
    file(CHMOD "${wrappers}/${page}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  endif()
  set(include_text "")
  if(EXISTS "${INCLUDE_DIR}/${page}.h2m")
    file(READ "${INCLUDE_DIR}/${page}.h2m" include_text)
  endif()
  if(settings)
    string(APPEND include_text "\n${environment}")
  endif()
  set(include_args "")
  if(NOT include_text STREQUAL "")
    file(WRITE "${wrappers}/${page}.h2m" "${include_text}")
    set(include_args "--include=${wrappers}/${page}.h2m")
  endif()
  set(man "${OUTPUT_DIR}/${page}.1")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env "PATH=${path}"
            ${HELP2MAN} --no-info --section=1 --version-string=${VERSION}
                        "--source=driftline ${VERSION}" "--manual=driftline manual"
                        "--name=${name}" ${include_args} --output=${man} ${program}
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT EXISTS "${man}")
    message(FATAL_ERROR "help2man ${program} failed (${rc}): ${err}")
  endif()
  file(READ "${man}" text)
  if(NOT text MATCHES "\\.SH OPTIONS")
    message(FATAL_ERROR "${man}: help2man found no options in `${command} --help`")
  endif()
  execute_process(COMMAND ${GZIP} -9nf "${man}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${man} failed")
  endif()
endforeach()
file(REMOVE_RECURSE "${wrappers}")
