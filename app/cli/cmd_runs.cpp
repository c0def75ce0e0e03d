#include <cstdio>
#include <filesystem>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/analysis/aha_onset.h"
#include "db/run_reader.h"
#include "db/schema.h"

namespace aha::cli {

int cmd_runs(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help"});
  if (args.has("help")) {
    std::printf("usage: aha runs --db FILE\n\nLists the runs stored in FILE with status and progress.\n");
    return 0;
  }
  args.allow_only({"db", "help"});
  db::RunReader reader(args.require("db"), /*read_only=*/true);
  // The overview checks the file too, while that is cheap (reading it: ~1 s per GB).
  std::error_code ec;
  if (std::filesystem::file_size(args.require("db"), ec) < (512u << 20)) db::check_integrity(reader.connection());
  std::printf("%-4s %-28s %-11s %-12s %-9s %-10s %s\n", "id", "name", "status", "steps", "aha onset", "task", "model");
  for (const auto& r : reader.runs()) {
    std::vector<std::pair<int64_t, double>> rate;
    for (const auto& p : reader.metric_series(r.id, "aha_rate")) rate.emplace_back(p.step, p.value);
    const auto onset = aha_onset_step(rate);
    // Imported runs have no known total: their last step number instead.
    const std::string steps = r.total_steps > 0 ? std::to_string(r.last_step + 1) + "/" + std::to_string(r.total_steps)
                                                : "step " + std::to_string(r.last_step);
    std::printf("%-4lld %-28s %-11s %-12s %-9s %-10s %s\n", static_cast<long long>(r.id), r.name.c_str(),
                r.status.c_str(), steps.c_str(), onset ? std::to_string(*onset).c_str() : "-", r.task.c_str(),
                r.model.c_str());
  }
  return 0;
}

}  // namespace aha::cli
