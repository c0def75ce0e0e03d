# Install layout and the Debian package (CPack). The installed executables find their
# resources in <prefix>/share/aha-studio/resources (core/run_config.cpp, resources_dir).
set(AHA_PKG ${PROJECT_SOURCE_DIR}/packaging)
set(AHA_HOMEPAGE "https://github.com/aha-studio/aha-studio")
set(AHA_MAINTAINER "Aha Studio developers <aha-studio@users.noreply.github.com>")
set(AHA_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/aha-studio)

# The built-in model's weights, tokenizer and pretraining configs are data the engine
# reads; its README and pretraining logs are documentation.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/presets ${PROJECT_SOURCE_DIR}/resources/models
        DESTINATION ${CMAKE_INSTALL_DATADIR}/aha-studio/resources
        PATTERN "README.md" EXCLUDE PATTERN "*.log" EXCLUDE)
file(GLOB AHA_MODEL_DIRS LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/resources/models/*)
foreach(model_dir ${AHA_MODEL_DIRS})
  get_filename_component(model ${model_dir} NAME)
  file(GLOB model_docs ${model_dir}/README.md ${model_dir}/*.log)
  install(FILES ${model_docs} DESTINATION ${AHA_DOC_DIR}/models/${model})
endforeach()
install(FILES ${AHA_PKG}/aha-studio.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${AHA_PKG}/io.github.aha_studio.aha_studio.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${AHA_PKG}/icons/aha-studio.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
foreach(size 16 32 48 64 128 256)
  install(FILES ${AHA_PKG}/icons/aha-studio-${size}.png DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps
          RENAME aha-studio.png)
endforeach()
# Debian wants the copyright and a changelog, compressed with gzip -9n.
execute_process(COMMAND gzip -9nc ${AHA_PKG}/changelog OUTPUT_FILE ${CMAKE_BINARY_DIR}/changelog.gz)
install(FILES ${AHA_PKG}/copyright ${CMAKE_BINARY_DIR}/changelog.gz DESTINATION ${AHA_DOC_DIR})
include(${AHA_PKG}/ManPages.cmake)
# No compiler ident strings (.comment, from the C runtime's objects too) in what we ship.
install(CODE "
  foreach(exe aha aha-studio)
    set(path \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/\${exe}\")
    if(EXISTS \"\${path}\")
      execute_process(COMMAND ${CMAKE_OBJCOPY} --remove-section=.comment --remove-section=.note \"\${path}\")
    endif()
  endforeach()")

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "aha-studio")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Aha Studio")
set(CPACK_PACKAGE_CONTACT ${AHA_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${AHA_HOMEPAGE})
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
# The menu icon lives in the hicolor theme's folders.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "hicolor-icon-theme")
# The same bytes from the same commit: every timestamp in the package is the release's.
set(CPACK_PROJECT_CONFIG_FILE ${AHA_PKG}/CPackReproducible.cmake)
include(CPack)
