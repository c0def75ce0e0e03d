#pragma once
// Reward against policy entropy over a run's steps, fitted as R = -a*exp(H) + b (Cui et
// al. 2025, "The Entropy Mechanism of Reinforcement Learning for Reasoning Language
// Models"): once entropy is spent, the reward can reach at most -a + b (H = 0).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace aha {

struct EntropyFit {
  double a = 0, b = 0;
  double ceiling() const { return b - a; }  // the predicted reward at entropy 0
  double r2 = 0;                            // share of the reward's variance the fit explains
  int points = 0;
};

// Least squares over the pairs (entropy[i], reward[i]); none with fewer than 3 points or
// when the entropies are all the same.
std::optional<EntropyFit> fit_entropy_reward(const std::vector<double>& entropy, const std::vector<double>& reward);

// The fit made on the first `steps` pairs only (a forecast during a run), with a 95%
// interval of its ceiling from 400 bootstrap resamples of those pairs (a fixed seed, so
// the same figures each time); none when the fit is not possible.
struct CeilingForecast {
  EntropyFit fit;
  double low = 0, high = 0;  // the ceiling's interval
  size_t steps = 0;
};
std::optional<CeilingForecast> forecast_ceiling(const std::vector<double>& entropy, const std::vector<double>& reward,
                                                size_t steps);

// The entropy-collapse warning: the first step (0-based) at which the forking tokens'
// entropy, as the mean of the last `window` steps, is below `share` of its first window's
// mean while the reward's last `window` steps are still above the `window` before them
// (still rising); none when that never happens.
std::optional<size_t> collapse_warning(const std::vector<double>& fork_entropy, const std::vector<double>& reward,
                                       double share = 0.5, size_t window = 10);

// What a run reached: the best mean of `window` consecutive steps' rewards (of all of them
// when fewer), one figure for the studio and `aha lens` (a single step's best is noise).
double best_window_mean(const std::vector<double>& reward, size_t window = 10);

// Said beside a ceiling above the most the reward can be (the sum of its positive weights,
// each reward function 0 to 1): the fit extrapolates past what a run can reach. Empty when
// the ceiling is within reach or the most is not known (0).
std::string ceiling_caveat(const EntropyFit& fit, double most_reward);

}  // namespace aha
