#pragma once
// The per-step metrics that follow from a step's samples alone (reward, accuracy,
// lengths, aha rates, ...), named as TRL logs them. One definition for local runs and
// imported ones, so that both plot the same quantity under the same name. Torch-free.
#include <string>
#include <utility>
#include <vector>

#include "db/run_sink.h"

namespace aha {

// `samples` carry group_index (the GRPO group); `reward_functions` names the order of
// the rewards/<name>/mean entries (every sample's per-function rewards use these names).
std::vector<std::pair<std::string, double>> sample_metrics(const std::vector<SampleRecord>& samples,
                                                           const std::vector<std::string>& reward_functions);

}  // namespace aha
