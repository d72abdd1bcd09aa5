# Fails when rules/FIELDS.md differs from what `amparoctl rules --fields`
# prints: the condition-field reference is generated from
# daemon/engine/schema.cc and must not go stale.
#   cmake -DAMPAROCTL=path/to/amparoctl -DROOT=source/dir -P check_fields_md.cmake
if(NOT AMPAROCTL OR NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DAMPAROCTL=... -DROOT=... -P check_fields_md.cmake")
endif()

set(fix "run amparoctl rules --fields > rules/FIELDS.md in the source folder")

execute_process(
  COMMAND ${AMPAROCTL} rules --fields
  WORKING_DIRECTORY ${ROOT}
  OUTPUT_VARIABLE fields
  ERROR_VARIABLE errors
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "amparoctl rules --fields failed (${result}):\n${fields}${errors}")
endif()

if(NOT EXISTS ${ROOT}/rules/FIELDS.md)
  message(FATAL_ERROR "rules/FIELDS.md is missing: ${fix}")
endif()
file(READ ${ROOT}/rules/FIELDS.md committed)
if(NOT committed STREQUAL fields)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/FIELDS.expected.md "${fields}")
  message(FATAL_ERROR "rules/FIELDS.md is stale: ${fix}. What it should hold is in \
${CMAKE_CURRENT_BINARY_DIR}/FIELDS.expected.md")
endif()
message(STATUS "rules/FIELDS.md matches amparoctl rules --fields")
