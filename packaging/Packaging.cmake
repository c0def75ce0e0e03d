# Install layout and the Debian package (CPack). The installed executables find their
# resources in <prefix>/share/aha-studio/resources (core/run_config.cpp, resources_dir).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/presets ${PROJECT_SOURCE_DIR}/resources/models
        DESTINATION ${CMAKE_INSTALL_DATADIR}/aha-studio/resources)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "aha-studio")
set(CPACK_PACKAGE_VENDOR "Aha Studio")
set(CPACK_PACKAGE_CONTACT "Aha Studio developers <dev@aha-studio.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Library dependencies come from dpkg-shlibdeps; OpenBLAS is loaded at run time (libtorch's
# matrix products are ~20x slower without an optimised BLAS), so it is named here.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread")
include(CPack)
