# Fails when the rule table in README.md (between <!-- rules-table:begin -->
# and <!-- rules-table:end -->) differs from `amparoctl rules --markdown` for
# the shipped rules/.
#   cmake -DAMPAROCTL=path/to/amparoctl -DROOT=source/dir -P check_readme_rules.cmake
if(NOT AMPAROCTL OR NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DAMPAROCTL=... -DROOT=... -P check_readme_rules.cmake")
endif()

set(begin_marker "<!-- rules-table:begin -->")
set(end_marker "<!-- rules-table:end -->")
set(fix "run amparoctl rules --rules rules --markdown in the source folder and paste its output \
into README.md between ${begin_marker} and ${end_marker}")

execute_process(
  COMMAND ${AMPAROCTL} rules --rules ${ROOT}/rules --markdown
  WORKING_DIRECTORY ${ROOT}
  OUTPUT_VARIABLE table
  ERROR_VARIABLE errors
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "amparoctl rules --markdown failed (${result}):\n${table}${errors}")
endif()

file(READ ${ROOT}/README.md readme)
string(FIND "${readme}" "${begin_marker}" begin_at)
string(FIND "${readme}" "${end_marker}" end_at)
if(begin_at EQUAL -1 OR end_at EQUAL -1 OR end_at LESS begin_at)
  message(FATAL_ERROR "README.md has no ${begin_marker} ... ${end_marker} block: ${fix}")
endif()
string(LENGTH "${begin_marker}" begin_length)
math(EXPR from "${begin_at} + ${begin_length}")
math(EXPR length "${end_at} - ${from}")
string(SUBSTRING "${readme}" ${from} ${length} block)

# The block is the table between blank lines; compare without them.
string(STRIP "${block}" block)
string(STRIP "${table}" table)
if(NOT block STREQUAL table)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/rules-table.expected.md "${table}\n")
  message(FATAL_ERROR "README rule table is stale: ${fix}. The table it should hold is in \
${CMAKE_CURRENT_BINARY_DIR}/rules-table.expected.md")
endif()
message(STATUS "README rule table matches rules/")
