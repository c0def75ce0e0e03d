#include "core/run/token_alternatives.h"

#include <cstdlib>
#include <filesystem>

namespace aha {

std::string WeightsOnDisk::describe() const {
  return step <= 0 ? "the base model" : "the checkpoint after step " + std::to_string(step);
}

std::string TokenAlternatives::distance() const {
  if (weights.step == sampled_by) return "the weights that sampled it";
  const long long d = std::llabs(weights.step - sampled_by);
  return std::to_string(d) + (d == 1 ? " step " : " steps ") + (weights.step > sampled_by ? "after" : "before") +
         " those that sampled it";
}

WeightsOnDisk nearest_weights(const RunConfig& run, const std::vector<WeightsOnDisk>& checkpoints, int64_t step) {
  const int64_t want = step - 1;
  WeightsOnDisk best{0, resolve_model_path(run.model).string()};
  for (const auto& c : checkpoints) {
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::path(c.path) / "config.json", ec)) continue;  // rotated away
    const auto distance = std::llabs(c.step - want), best_distance = std::llabs(best.step - want);
    if (distance < best_distance || (distance == best_distance && c.step < best.step)) best = c;
  }
  return best;
}

}  // namespace aha
