#pragma once
// A stored run's row as plain data (db/run_reader.h reads it): no SQLite here, so core/
// may read what an interface hands it (db/probe_source.h).
#include <cstdint>
#include <string>

namespace aha::db {

struct RunSummary {
  int64_t id = 0;
  // status: created, running, paused, stopped, finished, failed, or interrupted (stored as
  // running or paused, but its writer is gone: killed or crashed; resume it).
  std::string name, status, model, task, source, code_version, config_toml, message;
  int64_t seed = 0, total_steps = 0, last_step = -1;
  double created_at = 0, started_at = 0, finished_at = 0;
  std::string sweep, sweep_values = "{}";  // the sweep it belongs to ("" for none), its grid values (JSON)
};

}  // namespace aha::db
