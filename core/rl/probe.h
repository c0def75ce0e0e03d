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

// Samples each problem of `set` `samples` times from the model in `weights_dir` at the
// run's temperature, top_p and completion length, and judges them by the run's task (a
// file's by its records' answers). `progress(done, total)` after each batch of
// completions; returning false cancels (std::runtime_error "probe cancelled ...").
PassAtKProbe probe_pass_at_k(const RunConfig& run, const std::string& weights_dir, const ProbeSet& set, int samples,
                             const std::function<bool(int, int)>& progress = {});

}  // namespace aha
