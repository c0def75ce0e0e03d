#include "core/analysis/aha_onset.h"

namespace aha {

std::optional<int64_t> aha_onset_step(const std::vector<std::pair<int64_t, double>>& series, const AhaOnsetRule& rule) {
  if (rule.baseline_steps <= 0 || static_cast<int>(series.size()) <= rule.baseline_steps) return std::nullopt;
  double baseline = 0;
  for (int i = 0; i < rule.baseline_steps; ++i) baseline += series[i].second;
  baseline /= rule.baseline_steps;
  double ema = 0, weight = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    ema = rule.smoothing * ema + (1 - rule.smoothing) * series[i].second;
    weight = rule.smoothing * weight + (1 - rule.smoothing);
    if (static_cast<int>(i) >= rule.baseline_steps && ema / weight > baseline + rule.margin) return series[i].first;
  }
  return std::nullopt;
}

}  // namespace aha
