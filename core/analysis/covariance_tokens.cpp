#include "core/analysis/covariance_tokens.h"

#include <algorithm>

namespace aha {

StepCovariance top_covariance_tokens(const std::vector<TokenTrace>& traces, const std::vector<double>& advantages,
                                     size_t n) {
  StepCovariance out;
  double sum_logp = 0, sum_adv = 0;
  for (size_t c = 0; c < traces.size() && c < advantages.size(); ++c) {
    for (float v : traces[c].logprobs) sum_logp += v;
    sum_adv += advantages[c] * traces[c].size();
    out.tokens += traces[c].size();
  }
  if (out.tokens == 0) return out;
  const double mean_logp = sum_logp / out.tokens, mean_adv = sum_adv / out.tokens;
  std::vector<CovarianceToken> all;
  all.reserve(out.tokens);
  double positive = 0, total = 0;
  for (size_t c = 0; c < traces.size() && c < advantages.size(); ++c)
    for (size_t t = 0; t < traces[c].size(); ++t) {
      const double cov = (traces[c].logprobs[t] - mean_logp) * (advantages[c] - mean_adv);
      all.push_back({c, t, cov, traces[c].logprobs[t], traces[c].entropies[t], advantages[c]});
      total += cov;
      positive += std::max(0.0, cov);
    }
  out.mean = total / out.tokens;
  const size_t k = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + k, all.end(),
                    [](const auto& a, const auto& b) { return a.covariance > b.covariance; });
  all.resize(k);
  double top = 0;
  for (const auto& t : all) top += std::max(0.0, t.covariance);
  out.top_share = positive > 0 ? top / positive : 0;
  out.top = std::move(all);
  return out;
}

}  // namespace aha
