#include "core/run/advantages.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/support/config_reader.h"

namespace aha {

namespace {

double mean_of(const double* x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += x[i];
  return s / n;
}

double unbiased_std(const double* x, int n) {
  if (n < 2) return 0;
  const double m = mean_of(x, n);
  double ss = 0;
  for (int i = 0; i < n; ++i) ss += (x[i] - m) * (x[i] - m);
  return std::sqrt(ss / (n - 1));
}

}  // namespace

const std::vector<std::string>& advantage_estimators() {
  static const std::vector<std::string> names = {"grpo", "rloo", "reinforce_plus_plus", "grpo_passk"};
  return names;
}

const std::vector<std::string>& reward_scalings() {
  static const std::vector<std::string> names = {"group", "batch", "none"};
  return names;
}

std::vector<double> compute_advantages(const std::vector<double>& rewards, int group_size, const AdvantageOptions& opt,
                                       const std::vector<int>& token_counts) {
  const int n = static_cast<int>(rewards.size());
  if (group_size < 1 || n % group_size)
    throw std::invalid_argument("advantages: " + std::to_string(n) + " rewards are not whole groups of " +
                                std::to_string(group_size));
  std::vector<double> adv(n);
  if (opt.estimator == "reinforce_plus_plus") {
    // Every token of a completion carries its reward (outcome reward, gamma = 1); the
    // tokens of the batch are whitened together, so a completion weighs by its length.
    std::vector<double> w(n, 1.0);
    if (!token_counts.empty()) {
      if (static_cast<int>(token_counts.size()) != n)
        throw std::invalid_argument("advantages: token counts for " + std::to_string(token_counts.size()) +
                                    " completions, rewards for " + std::to_string(n));
      for (int i = 0; i < n; ++i) w[i] = std::max(0, token_counts[i]);
    }
    double tokens = 0, sum = 0;
    for (int i = 0; i < n; ++i) tokens += w[i], sum += w[i] * rewards[i];
    if (tokens < 2) return std::vector<double>(n, 0.0);
    const double mean = sum / tokens;
    double ss = 0;
    for (int i = 0; i < n; ++i) ss += w[i] * (rewards[i] - mean) * (rewards[i] - mean);
    const double var = ss / tokens * tokens / (tokens - 1);
    for (int i = 0; i < n; ++i) adv[i] = (rewards[i] - mean) / std::sqrt(var + 1e-8);
    return adv;
  }
  if (opt.estimator == "grpo_passk") {
    if (group_size < 2) throw std::invalid_argument("advantages: grpo_passk needs groups of 2 or more completions");
    for (int g = 0; g < n; g += group_size) {
      const double* r = rewards.data() + g;
      const int best = int(std::max_element(r, r + group_size) - r);  // the first of equal bests
      double second = -INFINITY;
      for (int i = 0; i < group_size; ++i)
        if (i != best) second = std::max(second, r[i]);
      double a = r[best] - second;
      if (opt.scale_rewards != "none") a /= unbiased_std(r, group_size) + 1e-6;
      adv[g + best] = a;  // the others keep 0
    }
    return adv;
  }
  if (opt.estimator != "grpo" && opt.estimator != "rloo")
    throw std::invalid_argument("unknown advantage estimator '" + opt.estimator + "' (" + join_names(advantage_estimators()) + ")");
  if (std::find(reward_scalings().begin(), reward_scalings().end(), opt.scale_rewards) == reward_scalings().end())
    throw std::invalid_argument("unknown scale_rewards '" + opt.scale_rewards + "' (" + join_names(reward_scalings()) + ")");
  const double batch_std = unbiased_std(rewards.data(), n);
  for (int g = 0; g < n; g += group_size) {
    const double* r = rewards.data() + g;
    const double mean = mean_of(r, group_size);
    for (int i = 0; i < group_size; ++i) {
      double a = r[i] - mean;
      if (opt.estimator == "rloo") {
        // r_i minus the mean of the other G-1 = (r_i - mean) * G / (G-1).
        if (group_size > 1) a *= double(group_size) / (group_size - 1);
      } else if (opt.scale_rewards == "group") {
        a /= unbiased_std(r, group_size) + 1e-4;
      } else if (opt.scale_rewards == "batch") {
        a /= batch_std + 1e-4;
      }
      adv[g + i] = a;
    }
  }
  return adv;
}

const std::vector<std::string>& multi_objective_aggregations() {
  static const std::vector<std::string> names = {"sum_then_normalize", "normalize_then_sum"};
  return names;
}

std::vector<double> normalize_then_sum_advantages(const std::vector<std::vector<double>>& per_function,
                                                  const std::vector<double>& weights, int group_size) {
  const int n = static_cast<int>(per_function.size()), k = static_cast<int>(weights.size());
  if (group_size < 1 || n % group_size)
    throw std::invalid_argument("advantages: " + std::to_string(n) + " completions are not whole groups of " +
                                std::to_string(group_size));
  std::vector<double> sums(n, 0.0), column(group_size);
  for (int f = 0; f < k; ++f)
    for (int g = 0; g < n; g += group_size) {
      for (int i = 0; i < group_size; ++i) {
        if (static_cast<int>(per_function[g + i].size()) != k)
          throw std::invalid_argument("advantages: completion " + std::to_string(g + i) + " has " +
                                      std::to_string(per_function[g + i].size()) + " reward values for " +
                                      std::to_string(k) + " weights");
        column[i] = per_function[g + i][f];
      }
      const double mean = mean_of(column.data(), group_size), sd = unbiased_std(column.data(), group_size);
      for (int i = 0; i < group_size; ++i) sums[g + i] += weights[f] * (column[i] - mean) / (sd + 1e-4);
    }
  const double mean = n ? mean_of(sums.data(), n) : 0.0, sd = unbiased_std(sums.data(), n);
  for (double& a : sums) a = (a - mean) / (sd + 1e-4);
  return sums;
}

std::vector<bool> uniform_groups(const std::vector<double>& rewards, int group_size) {
  std::vector<bool> out;
  for (size_t g = 0; g + group_size <= rewards.size(); g += group_size) {
    const auto [lo, hi] = std::minmax_element(rewards.begin() + g, rewards.begin() + g + group_size);
    out.push_back(*hi - *lo < 1e-9);
  }
  return out;
}

}  // namespace aha
