#pragma once
// Checkpoint probes: pass@k of stored weights on a probe set held out from training
// (problems of the run's task drawn from another seed). Torch-free header.
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <string>
#include <vector>

#include "core/analysis/pass_at_k.h"
#include "core/run/run_config.h"
#include "core/tasks/task.h"

namespace aha {

// The probe set's problems and the task that judges them: the run's task drawn with the
// set's seed, or a file's first problems in order, judged as the run's task would judge
// its records (numbers by value, Countdown by its verifier). A bad file throws naming it.
std::pair<std::vector<Problem>, std::unique_ptr<Task>> probe_set_problems(const RunConfig& run, const ProbeSet& set);

// Samples each problem of `set` `samples` times from the model in `weights_dir` at the
// run's temperature, top_p and completion length, and judges them by the run's task (a
// file's by its records' answers). `progress(done, total)` after each batch of
// completions; returning false cancels (std::runtime_error "probe cancelled ...").
PassAtKProbe probe_pass_at_k(const RunConfig& run, const std::string& weights_dir, const ProbeSet& set, int samples,
                             const std::function<bool(int, int)>& progress = {});

}  // namespace aha
