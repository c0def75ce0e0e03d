#include "core/analysis/entropy_fit.h"

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

}  // namespace aha
