cmake_policy(SET CMP0057 NEW)  # if(IN_LIST)
# Fails when a layer includes what it must not (the table in docs/ARCHITECTURE.md):
#   core/ and db/: no Qt, no QCustomPlot;  db/ and ui/: no torch;
#   core/'s torch-free folders: no torch;  each core/ folder includes only the folders
#   below it;  core/ reaches db/ only through its interfaces (db/run_sink.h,
#   db/probe_source.h) and plain row headers.
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
check_folder(core "#[ \t]*include[ \t]*\"db/(sqlite|schema|run_store|run_reader|probe_store)" "core/ reaches db/ only through its interfaces (db/run_sink.h, db/probe_source.h)")

# core/'s folders, lowest first, each with the folders it may include. The torch-free
# ones are the library aha_core, which ui/ links; model/ and rl/ are aha_engine.
set(torch_free support text analysis tasks run interop)
set(uses_support "")
set(uses_text support)
set(uses_analysis support text)
set(uses_tasks support text)
set(uses_run support text analysis tasks)
set(uses_model support text)
set(uses_rl support text analysis tasks run model)
set(uses_interop support text analysis tasks run)
set(all_folders support text analysis tasks run model rl interop)

file(GLOB flat ${SOURCE_DIR}/core/*.h ${SOURCE_DIR}/core/*.cpp)
foreach(f ${flat})
  file(RELATIVE_PATH rel ${SOURCE_DIR} ${f})
  message(SEND_ERROR "${rel}: core/ holds folders only: move it to the folder of its concept")
endforeach()
foreach(folder ${all_folders})
  if(folder IN_LIST torch_free)
    check_folder(core/${folder} "${torch_include}" "core/${folder}/ is torch-free")
  endif()
  set(allowed ${folder} ${uses_${folder}})
  foreach(other ${all_folders})
    if(NOT other IN_LIST allowed)
      check_folder(core/${folder} "#[ \t]*include[ \t]*\"core/${other}/" "core/${folder}/ may use only ${uses_${folder}}")
    endif()
  endforeach()
endforeach()
# interop/ reads other engines' runs: it never reaches the trainer (rl/ is not among its uses).
# ui/ links only aha_core: it includes no header of model/ or rl/ but rl/engine.h's type, which it never calls.
foreach(folder model rl)
  check_folder(ui "#[ \t]*include[ \t]*\"core/${folder}/" "ui/ uses only core's torch-free folders")
endforeach()
