#include "db/run_sink.h"

namespace aha {

const char* to_string(RunStatus s) {
  switch (s) {
    case RunStatus::Created: return "created";
    case RunStatus::Running: return "running";
    case RunStatus::Paused: return "paused";
    case RunStatus::Stopped: return "stopped";
    case RunStatus::Finished: return "finished";
    case RunStatus::Failed: return "failed";
  }
  return "unknown";
}

RunStatus run_status_from_string(const std::string& s) {
  for (auto st : {RunStatus::Created, RunStatus::Running, RunStatus::Paused, RunStatus::Stopped, RunStatus::Finished,
                  RunStatus::Failed})
    if (s == to_string(st)) return st;
  return RunStatus::Failed;
}

}  // namespace aha
