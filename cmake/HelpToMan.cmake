# Run with cmake -P: writes the manual page OUTPUT (gzip -9n) from a program's own --help
# text, so that the page and the program cannot disagree.
#   PROGRAM  the built executable          NAME     its installed name (aha, aha-studio)
#   SUMMARY  the NAME section's line       VERSION  the release
#   CHANGELOG  packaging/changelog (its newest date is the page's date)
#   SUBCOMMANDS  ";"-separated argument lists run with --help for a section each, e.g.
#                "train" or "export chart"; "@verbs" means every verb that
#                `PROGRAM --help` lists under "commands:"
#   SEE_ALSO  the other page's name
set(ENV{QT_QPA_PLATFORM} offscreen)  # aha-studio's export chart answers --help under Qt

function(help_of out)  # help_of(<var> [arguments...]): the text of PROGRAM <arguments> --help
  execute_process(COMMAND ${PROGRAM} ${ARGN} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc ERROR_QUIET)
  if(NOT rc EQUAL 0 OR text STREQUAL "")
    string(REPLACE ";" " " words "${ARGN}")
    message(FATAL_ERROR "'${NAME} ${words} --help' failed (exit ${rc}): the manual page cannot be written")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(roff out text)  # plain text as roff lines, kept as they are (.nf)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

file(STRINGS ${CHANGELOG} trailer REGEX "^ -- " LIMIT_COUNT 1)
string(REGEX MATCH "[0-9]+ [A-Z][a-z][a-z] [0-9]+" when "${trailer}")
execute_process(COMMAND date -u -d "${when}" +%Y-%m-%d OUTPUT_VARIABLE date OUTPUT_STRIP_TRAILING_WHITESPACE)

help_of(main_help)
string(TOUPPER "${NAME}" upper)
roff(main_roff "${main_help}")
set(page ".TH ${upper} 1 \"${date}\" \"aha-studio ${VERSION}\" \"User Commands\"\n")
string(APPEND page ".SH NAME\n${NAME} \\- ${SUMMARY}\n.SH SYNOPSIS\n.nf\n${main_roff}.fi\n")

if(SUBCOMMANDS STREQUAL "@verbs")
  # The verbs are the first word of each indented line between "commands:" and a blank line.
  string(REGEX MATCH "commands:\n(  [^\n]+\n)+" listed "${main_help}")
  string(REGEX MATCHALL "\n  [a-z]+ " verbs "${listed}")
  string(REGEX REPLACE "[\n ]" "" SUBCOMMANDS "${verbs}")
endif()
if(SUBCOMMANDS)
  string(APPEND page ".SH COMMANDS\n")
  foreach(command ${SUBCOMMANDS})
    separate_arguments(words UNIX_COMMAND "${command}")
    help_of(text ${words})
    roff(text "${text}")
    string(APPEND page ".SS ${NAME} ${command}\n.nf\n${text}.fi\n")
  endforeach()
endif()
string(APPEND page ".SH SEE ALSO\n.BR ${SEE_ALSO} (1)\n")

get_filename_component(plain ${OUTPUT} NAME_WLE)
get_filename_component(dir ${OUTPUT} DIRECTORY)
file(WRITE ${dir}/${plain} "${page}")
execute_process(COMMAND gzip -9nf ${dir}/${plain} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${dir}/${plain} failed")
endif()
