#include "core/analysis/entropy_fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

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

std::optional<CeilingForecast> forecast_ceiling(const std::vector<double>& entropy, const std::vector<double>& reward,
                                                size_t steps) {
  steps = std::min({steps, entropy.size(), reward.size()});
  const std::vector<double> h(entropy.begin(), entropy.begin() + steps), r(reward.begin(), reward.begin() + steps);
  const auto fit = fit_entropy_reward(h, r);
  if (!fit) return std::nullopt;
  CeilingForecast f{*fit, fit->ceiling(), fit->ceiling(), steps};
  std::mt19937_64 draw(20250522);
  std::uniform_int_distribution<size_t> pick(0, steps - 1);
  std::vector<double> ceilings, bh(steps), br(steps);
  for (int b = 0; b < 400; ++b) {
    for (size_t i = 0; i < steps; ++i) {
      const size_t k = pick(draw);
      bh[i] = h[k];
      br[i] = r[k];
    }
    if (const auto g = fit_entropy_reward(bh, br)) ceilings.push_back(g->ceiling());
  }
  if (ceilings.size() >= 40) {
    std::sort(ceilings.begin(), ceilings.end());
    f.low = ceilings[static_cast<size_t>(0.025 * (ceilings.size() - 1))];
    f.high = ceilings[static_cast<size_t>(0.975 * (ceilings.size() - 1))];
  }
  return f;
}

std::optional<size_t> collapse_warning(const std::vector<double>& fork_entropy, const std::vector<double>& reward,
                                       double share, size_t window) {
  const size_t n = std::min(fork_entropy.size(), reward.size());
  if (window == 0 || n < 2 * window) return std::nullopt;
  auto mean = [window](const std::vector<double>& v, size_t end) {
    double s = 0;
    for (size_t i = end - window; i < end; ++i) s += v[i];
    return s / window;
  };
  const double start = mean(fork_entropy, window);
  for (size_t end = 2 * window; end <= n; ++end)
    if (mean(fork_entropy, end) < share * start && mean(reward, end) > mean(reward, end - window)) return end - 1;
  return std::nullopt;
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
