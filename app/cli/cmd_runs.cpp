#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "db/run_reader.h"

namespace aha::cli {

int cmd_runs(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help"});
  if (args.has("help")) {
    std::printf("usage: aha runs --db FILE\n\nLists the runs stored in FILE with status and progress.\n");
    return 0;
  }
  args.allow_only({"db", "help"});
  db::RunReader reader(args.require("db"));
  std::printf("%-4s %-28s %-9s %-12s %-10s %s\n", "id", "name", "status", "steps", "task", "model");
  for (const auto& r : reader.runs())
    std::printf("%-4lld %-28s %-9s %5lld/%-6lld %-10s %s\n", static_cast<long long>(r.id), r.name.c_str(),
                r.status.c_str(), static_cast<long long>(r.last_step + 1), static_cast<long long>(r.total_steps),
                r.task.c_str(), r.model.c_str());
  return 0;
}

}  // namespace aha::cli
