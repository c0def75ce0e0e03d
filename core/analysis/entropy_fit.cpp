#include "core/analysis/entropy_fit.h"

#include <algorithm>
#include <cstdio>

#include <cmath>

namespace aha {

std::optional<EntropyFit> fit_entropy_reward(const std::vector<double>& entropy, const std::vector<double>& reward) {
  // Linear in x = exp(H): R = b - a x.
  const size_t n = std::min(entropy.size(), reward.size());
  if (n < 3) return std::nullopt;
  double sx = 0, sy = 0;
  for (size_t i = 0; i < n; ++i) sx += std::exp(entropy[i]), sy += reward[i];
  const double mx = sx / n, my = sy / n;
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = std::exp(entropy[i]) - mx, dy = reward[i] - my;
    sxx += dx * dx, sxy += dx * dy, syy += dy * dy;
  }
  if (sxx <= 1e-12 * n) return std::nullopt;
  EntropyFit f;
  const double slope = sxy / sxx;
  f.a = -slope;
  f.b = my - slope * mx;
  f.r2 = syy > 0 ? sxy * sxy / (sxx * syy) : 1.0;
  f.points = static_cast<int>(n);
  return f;
}

double best_window_mean(const std::vector<double>& reward, size_t window) {
  const size_t n = std::min(window, reward.size());
  if (n == 0) return 0.0 / 0.0;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += reward[i];
  double best = sum;
  for (size_t i = n; i < reward.size(); ++i) best = std::max(best, sum += reward[i] - reward[i - n]);
  return best / n;
}

std::string ceiling_caveat(const EntropyFit& fit, double most_reward) {
  if (most_reward <= 0 || fit.ceiling() <= most_reward + 1e-9) return {};
  char text[160];
  std::snprintf(text, sizeof text, "above the most the reward can be (%.3g): the fit extrapolates past what the run can reach",
                most_reward);
  return text;
}

}  // namespace aha
