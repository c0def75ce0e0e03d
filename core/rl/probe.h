#pragma once
// Checkpoint probes: pass@k of stored weights on a probe set held out from training
// (problems of the run's task drawn from another seed). Torch-free header.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/analysis/pass_at_k.h"
#include "core/run/run_config.h"

namespace aha {

// The probe set's problems: `count` of the run's task, drawn with `seed` (the trainer
// draws its prompts with the run's own seed).
// Samples each `samples` times from the model in `weights_dir` at the run's temperature,
// top_p and completion length. `progress(done, total)` after each batch of completions;
// returning false cancels (std::runtime_error "probe cancelled ...").
PassAtKProbe probe_pass_at_k(const RunConfig& run, const std::string& weights_dir, int count, int samples,
                             uint64_t seed, const std::function<bool(int, int)>& progress = {});

}  // namespace aha
