#pragma once
// The tokens of one step whose log-probability moves most with their advantage (Cui et al.
// 2025): covariance (log p - mean log p)(A - mean A), both means over the step's completion
// tokens, A the completion's advantage. Clip-Cov and KL-Cov act on the top of this list;
// `aha lens --covariance STEP` prints it with each token's trace. Torch-free.
#include <cstddef>
#include <vector>

#include "core/analysis/token_trace.h"

namespace aha {

struct CovarianceToken {
  size_t completion = 0, token = 0;  // indices into the step's traces and that trace's tokens
  double covariance = 0, logprob = 0, entropy = 0, advantage = 0;
};

struct StepCovariance {
  std::vector<CovarianceToken> top;  // highest covariance first
  size_t tokens = 0;                 // the step's completion tokens
  double mean = 0;                   // the mean covariance
  double top_share = 0;              // the top's share of the positive covariance
};

// The `n` tokens of highest covariance among the step's `traces` (one per completion, with
// its `advantages`).
StepCovariance top_covariance_tokens(const std::vector<TokenTrace>& traces, const std::vector<double>& advantages,
                                     size_t n);

}  // namespace aha
