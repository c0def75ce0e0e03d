# Install layout and the Debian package (CPack). The installed executables find their
# resources in <prefix>/share/aha-studio/resources (core/run_config.cpp, resources_dir).
set(AHA_PKG ${PROJECT_SOURCE_DIR}/packaging)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/presets ${PROJECT_SOURCE_DIR}/resources/models
        DESTINATION ${CMAKE_INSTALL_DATADIR}/aha-studio/resources)
install(FILES ${AHA_PKG}/aha-studio.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${AHA_PKG}/io.github.aha_studio.AhaStudio.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${AHA_PKG}/icons/aha-studio.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
foreach(size 16 32 48 64 128 256)
  install(FILES ${AHA_PKG}/icons/aha-studio-${size}.png DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps
          RENAME aha-studio.png)
endforeach()
# Debian wants the copyright, a changelog and manual pages, compressed with gzip -9n.
foreach(doc changelog aha.1 aha-studio.1)
  execute_process(COMMAND gzip -9nc ${AHA_PKG}/${doc} OUTPUT_FILE ${CMAKE_BINARY_DIR}/${doc}.gz)
endforeach()
install(FILES ${AHA_PKG}/copyright ${CMAKE_BINARY_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/aha-studio)
install(FILES ${CMAKE_BINARY_DIR}/aha.1.gz ${CMAKE_BINARY_DIR}/aha-studio.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "aha-studio")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Aha Studio")
set(CPACK_PACKAGE_CONTACT "Aha Studio developers <dev@aha-studio.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "studio for R1-Zero style reinforcement learning of language models")
# The extended description only: CPack puts the summary above it as the synopsis.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Aha Studio trains a built-in tiny model or Hugging Face Qwen2/Llama\ncheckpoints with GRPO, stores every sampled chain of thought in SQLite,\nshows reward, response length and self-checking live, and finds, tags\nand exports the traces where the model catches its own mistakes.\nIncludes the headless command line 'aha'.")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
# Library dependencies come from dpkg-shlibdeps; OpenBLAS is loaded at run time (libtorch's
# matrix products are ~20x slower without an optimised BLAS), so it is named here.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread")  # the rest comes from shlibdeps
include(CPack)
