#include <filesystem>

#include "app/cli/args.h"
#include "app/cli/probe_commands.h"

namespace aha::cli {

ProbeSet probe_set_option(const Args& args) {
  ProbeSet set;
  set.file = args.get("problems-file");
  set.problems = args.get_int("problems", set.file.empty() ? 32 : 0);
  set.seed = static_cast<uint64_t>(args.get_int("seed", 1234));
  if (set.problems < 0 || (set.file.empty() && set.problems < 1))
    throw UsageError("--problems: " + std::to_string(set.problems) +
                     " (at least 1; --problems 0 with --problems-file: all of it)");
  if (!set.file.empty() && !std::filesystem::exists(set.file)) throw UsageError("--problems-file: no file '" + set.file + "'");
  return set;
}

}  // namespace aha::cli
