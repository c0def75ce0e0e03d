#pragma once
// Torch-free entry to evaluate_model() for the CLI and the studio.
#include "core/run/run_config.h"

namespace aha {

struct EvalResult {
  int samples = 0;
  double accuracy = 0, format_rate = 0, check_share = 0;
  double accuracy_checked = 0, accuracy_direct = 0;
  double mean_length = 0;  // completion tokens
};
// Loads the run config's model and samples it on `samples` fresh problems of its task.
EvalResult evaluate_config_model(const RunConfig& cfg, int samples, double temperature);

}  // namespace aha
