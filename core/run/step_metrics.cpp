#include "core/run/step_metrics.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace aha {

namespace {

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

double sample_std(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double mu = mean_of(v);
  double var = 0;
  for (double x : v) var += (x - mu) * (x - mu);
  return std::sqrt(var / (v.size() - 1));
}

// Linear interpolation between order statistics (numpy's default).
double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * (v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

}  // namespace

std::vector<std::pair<std::string, double>> sample_metrics(const std::vector<SampleRecord>& samples,
                                                           const std::vector<std::string>& reward_functions) {
  std::vector<double> totals, lengths;
  std::map<int, std::vector<double>> groups;
  std::map<std::string, std::vector<double>> per_func;
  double correct = 0, format_ok = 0, truncated = 0, reflective = 0, real_aha = 0;
  for (const auto& s : samples) {
    totals.push_back(s.reward);
    lengths.push_back(s.token_count);
    groups[s.group_index].push_back(s.reward);
    for (const auto& [name, v] : s.rewards) per_func[name].push_back(v);
    correct += s.correct;
    format_ok += s.format_ok;
    truncated += s.truncated;
    reflective += s.aha_spans != "[]";
    real_aha += s.real_aha;
  }
  // reward_std is TRL's: the mean over groups of the reward's standard deviation.
  double group_std = 0, zero_std = 0;
  for (const auto& [g, rewards] : groups) {
    group_std += sample_std(rewards);
    zero_std += *std::max_element(rewards.begin(), rewards.end()) - *std::min_element(rewards.begin(), rewards.end()) < 1e-9;
  }
  const double n = std::max<size_t>(1, samples.size()), n_groups = std::max<size_t>(1, groups.size());
  std::vector<std::pair<std::string, double>> mt;
  mt.emplace_back("reward", mean_of(totals));
  mt.emplace_back("reward_std", group_std / n_groups);
  for (const auto& name : reward_functions) mt.emplace_back("rewards/" + name + "/mean", mean_of(per_func[name]));
  mt.emplace_back("accuracy", correct / n);
  mt.emplace_back("format_rate", format_ok / n);
  mt.emplace_back("completions/mean_length", mean_of(lengths));
  mt.emplace_back("completions/min_length", lengths.empty() ? 0 : *std::min_element(lengths.begin(), lengths.end()));
  mt.emplace_back("completions/max_length", lengths.empty() ? 0 : *std::max_element(lengths.begin(), lengths.end()));
  mt.emplace_back("completions/p10_length", percentile(lengths, 0.1));
  mt.emplace_back("completions/p90_length", percentile(lengths, 0.9));
  mt.emplace_back("completions/clipped_ratio", truncated / n);
  mt.emplace_back("frac_reward_zero_std", zero_std / n_groups);
  mt.emplace_back("aha_rate", reflective / n);
  mt.emplace_back("real_aha_rate", real_aha / n);
  return mt;
}

}  // namespace aha
