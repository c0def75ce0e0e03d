# Fails when a layer includes what it must not (see docs/ARCHITECTURE.md):
#   core/ and db/: no Qt, no QCustomPlot;  db/ and ui/: no torch;
#   core/ reaches db/ only through db/run_sink.h.
function(check_folder folder regex rule)
  file(GLOB_RECURSE files ${SOURCE_DIR}/${folder}/*.h ${SOURCE_DIR}/${folder}/*.cpp)
  foreach(f ${files})
    file(STRINGS ${f} hits REGEX "${regex}")
    if(hits)
      file(RELATIVE_PATH rel ${SOURCE_DIR} ${f})
      list(GET hits 0 first)
      message(SEND_ERROR "${rel}: ${rule}: ${first}")
    endif()
  endforeach()
endfunction()

set(qt_include "#[ \t]*include[ \t]*[<\"](Q[A-Za-z]+|Qt[A-Za-z]+/|qcustomplot\\.h)")
set(torch_include "#[ \t]*include[ \t]*[<\"](torch/|ATen/|c10/)")
check_folder(core "${qt_include}" "core/ must not include Qt")
check_folder(db "${qt_include}" "db/ must not include Qt")
check_folder(db "${torch_include}" "db/ must not include torch")
check_folder(ui "${torch_include}" "ui/ must not include torch (use core's torch-free headers)")
check_folder(core "#[ \t]*include[ \t]*\"db/(sqlite|schema|run_store|run_reader)" "core/ reaches db/ only through db/run_sink.h")
