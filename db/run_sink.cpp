#include "db/run_sink.h"

#include <algorithm>

namespace aha {

void add_missing_metrics(std::vector<std::pair<std::string, double>>& into,
                         const std::vector<std::pair<std::string, double>>& more) {
  for (const auto& [name, value] : more)
    if (std::none_of(into.begin(), into.end(), [&](const auto& m) { return m.first == name; }))
      into.emplace_back(name, value);
}

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
