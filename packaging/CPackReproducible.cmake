# Read by cpack: unless the builder sets SOURCE_DATE_EPOCH, the package's timestamps are
# the date of the newest entry in packaging/changelog, so two builds of one commit give
# the same .deb.
if(NOT DEFINED ENV{SOURCE_DATE_EPOCH})
  file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/changelog" trailer REGEX "^ -- " LIMIT_COUNT 1)
  string(REGEX MATCH "[0-9]+ [A-Z][a-z][a-z] [0-9]+ [0-9:]+" when "${trailer}")
  execute_process(COMMAND date -u -d "${when}" +%s OUTPUT_VARIABLE epoch OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(ENV{SOURCE_DATE_EPOCH} "${epoch}")
endif()
