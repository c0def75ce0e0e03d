#pragma once
// What one finished training step reports to the CLI and the studio. Torch-free.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace aha {

struct StepSummary {
  int64_t step = 0, total_steps = 0;
  double reward = 0, accuracy = 0, mean_length = 0, aha_rate = 0;
  double tokens_per_second = 0, step_seconds = 0, eta_seconds = 0;
  double gpu_memory_bytes = -1;  // in use on the GPU; negative on CPU
  std::vector<std::pair<std::string, double>> metrics;  // every metric of the step
};

}  // namespace aha
