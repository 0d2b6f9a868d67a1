# Reads the settings table a binary prints with --settings-markdown (apps/common/setting_flags.h:
# | `VARIABLE` | `--flag` | `default` | range | meaning |, the meaning with \| for |) into lists,
# for the scripts that write the env file and the man pages' ENVIRONMENT section from it.
#   driftline_read_settings(<binary> <prefix>) sets <prefix>_VARIABLES and, for each variable V,
#   <prefix>_V_FLAG (e.g. "--kafka", or "--test-failures (sets true)"), <prefix>_V_DEFAULT,
#   <prefix>_V_RANGE and <prefix>_V_MEANING, in the caller's scope. Fails on a malformed row.
function(driftline_read_settings binary prefix)
  execute_process(COMMAND ${binary} --settings-markdown
                  OUTPUT_VARIABLE table RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${binary} --settings-markdown failed (${rc}): ${err}")
  endif()
  # A ; in the text would split the lists below: carried as @SEMI@ until the end.
  string(REPLACE ";" "@SEMI@" table "${table}")
  string(REPLACE "\n" ";" lines "${table}")
  set(variables "")
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "^\\| `[A-Z_0-9]+` \\|.* \\|$")
      continue()
    endif()
    string(REPLACE "\\|" "@PIPE@" line "${line}")
    string(REGEX REPLACE "^\\| (.*) \\|$" "\\1" line "${line}")
    string(REPLACE " | " ";" cells "${line}")
    list(LENGTH cells n)
    if(NOT n EQUAL 5)
      message(FATAL_ERROR "${binary} --settings-markdown: a row has ${n} cells, not 5: ${line}")
    endif()
    set(index 0)
    foreach(name variable flag default range meaning)
      list(GET cells ${index} cell)
      string(REPLACE "`" "" cell "${cell}")
      string(REPLACE "@PIPE@" "|" cell "${cell}")
      string(REPLACE "@SEMI@" ";" cell "${cell}")   # a plain string from here on, never a list
      string(STRIP "${cell}" ${name})
      math(EXPR index "${index} + 1")
    endforeach()
    list(APPEND variables ${variable})
    set(${prefix}_${variable}_FLAG "${flag}" PARENT_SCOPE)
    set(${prefix}_${variable}_DEFAULT "${default}" PARENT_SCOPE)
    set(${prefix}_${variable}_RANGE "${range}" PARENT_SCOPE)
    set(${prefix}_${variable}_MEANING "${meaning}" PARENT_SCOPE)
  endforeach()
  list(LENGTH variables count)
  if(count LESS 3)
    message(FATAL_ERROR "only ${count} settings in the output of ${binary} --settings-markdown")
  endif()
  set(${prefix}_VARIABLES ${variables} PARENT_SCOPE)
endfunction()
