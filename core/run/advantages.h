#pragma once
// Advantage estimators over a step's rewards, one value per completion. Torch-free, so
// that imports compute the same advantages as local runs (core/interop/rollout_import).
#include <string>
#include <vector>

namespace aha {

struct AdvantageOptions {
  // veRL's algorithm.adv_estimator names:
  //   grpo                - reward minus its group's mean, scaled as scale_rewards says;
  //   rloo                - reward minus the mean of the *other* completions of its group
  //                         (Ahmadian et al. 2024), no scaling;
  //   reinforce_plus_plus - no group baseline: rewards whitened over the whole batch,
  //                         each completion weighted by its tokens (Hu 2025; veRL with gamma 1);
  //   grpo_passk          - pass@k training (Chen et al. 2025, arXiv 2503.19595; veRL's
  //                         compute_grpo_passk_outcome_advantage): only the best completion of
  //                         each group (the first of equal bests) gets an advantage, its reward
  //                         minus the group's second best, divided by the group's std + 1e-6
  //                         unless scale_rewards = "none"; groups of 2 or more.
  std::string estimator = "grpo";
  // TRL's scale_rewards, grpo only: "group" divides by the group's std, "batch" by the
  // batch's (Liu et al.'s recommendation against the group-level bias), "none" keeps the
  // centred reward (Dr. GRPO). Stds are unbiased, guarded by + 1e-4, as TRL computes them.
  std::string scale_rewards = "group";
};

const std::vector<std::string>& advantage_estimators();
const std::vector<std::string>& reward_scalings();

// rewards: the step's completions, group after group (N = groups x group_size);
// token_counts: each completion's tokens (only reinforce_plus_plus reads them).
// Throws std::invalid_argument for an unknown estimator or scaling, or N not a multiple.
std::vector<double> compute_advantages(const std::vector<double>& rewards, int group_size, const AdvantageOptions& opt,
                                       const std::vector<int>& token_counts = {});

// TRL's multi_objective_aggregation = "normalize_then_sum" (GDPO, arXiv 2601.05242): each
// reward function's values normalised within their group ((r - mean) / (std + 1e-4)),
// summed with the weights, and the sums standardised over the batch the same way.
// per_function[i][k]: completion i's value of function k (groups in order, as above);
// scale_rewards does not apply. Throws std::invalid_argument for mismatched sizes.
std::vector<double> normalize_then_sum_advantages(const std::vector<std::vector<double>>& per_function,
                                                  const std::vector<double>& weights, int group_size);
const std::vector<std::string>& multi_objective_aggregations();

// Per group: true when every reward in it is the same (the group teaches nothing under
// any group baseline; DAPO's dynamic sampling drops it).
std::vector<bool> uniform_groups(const std::vector<double>& rewards, int group_size);

}  // namespace aha
