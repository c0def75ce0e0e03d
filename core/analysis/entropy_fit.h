#pragma once
// Reward against policy entropy over a run's steps, fitted as R = -a*exp(H) + b (Cui et
// al. 2025, "The Entropy Mechanism of Reinforcement Learning for Reasoning Language
// Models"): once entropy is spent, the reward can reach at most -a + b (H = 0).
#include <optional>
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

}  // namespace aha
