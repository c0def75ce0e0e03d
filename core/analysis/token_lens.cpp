#include "core/analysis/token_lens.h"

#include <algorithm>

#include "core/analysis/reflection.h"

namespace aha {

std::vector<std::pair<int, int>> span_ranges_from_json(std::string_view json) {
  std::vector<std::pair<int, int>> ranges;
  for (const auto& s : spans_from_json(json)) ranges.emplace_back(s.begin, s.end);
  return ranges;
}

double quantile(std::vector<float> v, double q) {
  if (v.empty()) return 0;
  const double pos = q * (v.size() - 1);
  const size_t lo = static_cast<size_t>(pos), hi = std::min(lo + 1, v.size() - 1);
  std::nth_element(v.begin(), v.begin() + lo, v.end());
  const double a = v[lo];
  const double b = hi == lo ? a : *std::min_element(v.begin() + lo + 1, v.end());
  return a + (b - a) * (pos - lo);
}

void TokenLensStats::add(const TokenTrace& t, uint32_t text_length, const std::vector<std::pair<int, int>>& reflection) {
  for (size_t i = 0; i < t.size(); ++i) {
    const float h = t.entropies[i];
    entropies_.push_back(h);
    logprob_sum_ += t.logprobs[i];
    const int begin = static_cast<int>(t.begins[i]), end = static_cast<int>(t.end_of(i, text_length));
    const bool at_phrase = std::any_of(reflection.begin(), reflection.end(), [&](const auto& r) {
      return begin < r.second && r.first < std::max(end, begin + 1);
    });
    (at_phrase ? at_reflection_ : elsewhere_) += h;
    ++(at_phrase ? n_reflection_ : n_elsewhere_);
  }
}

std::vector<std::pair<std::string, double>> TokenLensStats::metrics() const {
  std::vector<std::pair<std::string, double>> mt;
  if (entropies_.empty()) return mt;
  const double n = static_cast<double>(entropies_.size());
  double sum = 0, certain = 0, fork_sum = 0, forks = 0;
  const double threshold = quantile(entropies_, kForkingQuantile);
  for (float h : entropies_) {
    sum += h;
    certain += h < kCertainEntropy;
    if (h >= threshold) fork_sum += h, ++forks;
  }
  mt.emplace_back("lens/entropy_mean", sum / n);
  mt.emplace_back("lens/fork_threshold", threshold);
  mt.emplace_back("lens/fork_entropy", forks > 0 ? fork_sum / forks : 0);
  mt.emplace_back("lens/certain_share", certain / n);
  mt.emplace_back("lens/logprob_mean", logprob_sum_ / n);
  if (n_reflection_) mt.emplace_back("lens/entropy_at_reflection", at_reflection_ / n_reflection_);
  if (n_elsewhere_) mt.emplace_back("lens/entropy_elsewhere", elsewhere_ / n_elsewhere_);
  return mt;
}

}  // namespace aha
