#pragma once
// When did the aha appear in a run? The first step at which the smoothed aha rate rises
// above its early baseline by a stated margin. Torch-free, Qt-free: the CLI, the store's
// readers and the studio all call it on the stored aha_rate series.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace aha {

struct AhaOnsetRule {
  int baseline_steps = 10;  // the early baseline is the mean rate over these first steps
  double margin = 0.05;     // absolute rise above the baseline that counts as onset
  double smoothing = 0.9;   // debiased EMA weight, as the dashboard's slider
};

// `series` holds (step, rate) in step order. Nothing when the run is shorter than the
// baseline or the smoothed rate never clears baseline + margin.
std::optional<int64_t> aha_onset_step(const std::vector<std::pair<int64_t, double>>& series,
                                      const AhaOnsetRule& rule = {});

}  // namespace aha
