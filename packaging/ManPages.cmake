# The manual pages are written at build time from the programs' --help text
# (cmake/HelpToMan.cmake): one source, so a verb added to `aha` is in aha.1 too.
function(aha_man_page target name summary subcommands see_also)
  set(page ${CMAKE_BINARY_DIR}/man/${name}.1.gz)
  add_custom_command(OUTPUT ${page}
    COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:${target}> -DNAME=${name} "-DSUMMARY=${summary}"
            "-DSUBCOMMANDS=${subcommands}" -DVERSION=${PROJECT_VERSION} -DCHANGELOG=${AHA_PKG}/changelog
            -DSEE_ALSO=${see_also} -DOUTPUT=${page} -P ${PROJECT_SOURCE_DIR}/cmake/HelpToMan.cmake
    DEPENDS ${target} ${PROJECT_SOURCE_DIR}/cmake/HelpToMan.cmake ${AHA_PKG}/changelog
    COMMENT "Writing the manual page ${name}.1 from '${name} --help'")
  add_custom_target(${name}-man ALL DEPENDS ${page})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endfunction()

aha_man_page(aha aha "headless command line of Aha Studio: GRPO runs, evaluation, imports and exports"
             "@verbs" aha-studio)
if(AHA_BUILD_STUDIO)
  aha_man_page(aha-studio aha-studio "desktop studio for R1-Zero style reinforcement learning"
               "export chart" aha)
endif()
