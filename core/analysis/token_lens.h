#pragma once
// What a step's token lens says (docs/TOKEN_LENS.md): how uncertain the policy was over
// its completions, at its forking tokens (the top 20% by entropy, Wang et al. 2025,
// "Beyond the 80/20 Rule"), and at reflection phrases against elsewhere. Torch-free.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/analysis/token_trace.h"

namespace aha {

// Entropy at or above which a token is a forking token: the 80th percentile.
constexpr double kForkingQuantile = 0.8;
// Below this a token was all but certain (nats).
constexpr double kCertainEntropy = 0.01;
// The trace view marks a token as forking only from this entropy up (nats): late in a run
// the top 20% start near 0.01 nats, where every digit would be "forking".
constexpr double kForkingFloor = 0.3;

// Code-point ranges [begin, end) of the spans in a stored spans text (spans_from_json).
std::vector<std::pair<int, int>> span_ranges_from_json(std::string_view json);

// The q-quantile of `values` (linear between order statistics); 0 when empty.
double quantile(std::vector<float> values, double q);

// Collects one step's tokens, then names its metrics.
class TokenLensStats {
 public:
  // `text_length`: the completion's code points; `reflection`: its reflection phrases.
  void add(const TokenTrace& trace, uint32_t text_length, const std::vector<std::pair<int, int>>& reflection);
  bool empty() const { return entropies_.empty(); }
  // lens/entropy_mean, lens/fork_threshold (the 80th percentile), lens/fork_entropy (the
  // mean at or above it), lens/certain_share (share below 0.01 nats), lens/logprob_mean,
  // lens/entropy_at_reflection and lens/entropy_elsewhere (absent without such tokens).
  std::vector<std::pair<std::string, double>> metrics() const;

 private:
  std::vector<float> entropies_;
  double logprob_sum_ = 0, at_reflection_ = 0, elsewhere_ = 0;
  size_t n_reflection_ = 0, n_elsewhere_ = 0;
};

}  // namespace aha
