# The code version (release + git revision) is stored with every run, so it is
# regenerated at build time; the file is only rewritten when the revision changes,
# which keeps incremental builds incremental.
set(AHA_VERSION_CPP ${PROJECT_BINARY_DIR}/generated/version_info.cpp)
add_custom_target(aha_version_info
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUTPUT=${AHA_VERSION_CPP}
          -DVERSION=${PROJECT_VERSION} -P ${PROJECT_SOURCE_DIR}/cmake/WriteVersion.cmake
  BYPRODUCTS ${AHA_VERSION_CPP}
  COMMENT "Checking the git revision")
