#pragma once
// Completions logged any other way: a JSONL or CSV file with a field mapping. Records
// are gathered by step; within a step, by the group field or else by prompt.
#include <filesystem>
#include <functional>
#include <map>

#include "core/interop/rollout_import.h"

namespace aha {

struct GenericMapping {
  std::string prompt = "prompt", completion = "completion";
  std::string reference;            // the ground truth (optional)
  std::string score = "reward";     // the total reward
  std::vector<std::string> rewards; // per-function reward fields (optional)
  std::string step = "step";        // a record without it belongs to step 1
  std::string group;                // GRPO group id (optional)
};

// Samples by step. A bad record is reported (file:line: what) and skipped; fields the
// mapping does not name are kept as extra data. Throws for a file that cannot be read.
std::map<int64_t, std::vector<RolloutSample>> read_generic_rollouts(
    const std::filesystem::path& file, const GenericMapping& mapping,
    const std::function<void(const std::string&)>& report);

}  // namespace aha
