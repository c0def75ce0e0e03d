#include "core/rl/grpo.h"

#include <stdexcept>

namespace aha {

torch::Tensor group_advantages(const torch::Tensor& rewards, int64_t group_size, bool scale_rewards) {
  TORCH_CHECK(rewards.numel() % group_size == 0, "rewards (", rewards.numel(), ") not a multiple of the group size ", group_size);
  auto r = rewards.to(torch::kFloat64).view({-1, group_size});
  auto centered = r - r.mean(1, true);
  if (scale_rewards && group_size > 1) centered = centered / (r.std(1, /*unbiased=*/true, true) + 1e-4);
  return centered.view({-1}).to(torch::kFloat32);
}

torch::Tensor zero_std_groups(const torch::Tensor& rewards, int64_t group_size) {
  auto r = rewards.view({-1, group_size});
  return (r.amax(1) - r.amin(1)).abs().lt(1e-9).to(torch::kFloat32);
}

LossResult grpo_loss(const torch::Tensor& logps, const torch::Tensor& old_logps, const torch::Tensor& ref_logps,
                     const torch::Tensor& advantages, const torch::Tensor& mask, const LossOptions& opt) {
  auto m = mask.to(logps.scalar_type());
  auto adv = advantages.to(logps.scalar_type()).unsqueeze(1);
  auto ratio = torch::exp(logps - old_logps);
  auto clipped = torch::clamp(ratio, 1.0 - opt.epsilon, 1.0 + opt.epsilon_high);
  auto per_token = -torch::min(ratio * adv, clipped * adv);

  LossResult out;
  const double tokens = std::max(1.0, m.sum().item<double>());
  if (opt.beta > 0.0) {
    TORCH_CHECK(ref_logps.defined(), "beta > 0 needs reference log-probabilities");
    // k3 estimator of KL(policy || reference): exp(r - p) - (r - p) - 1, always >= 0.
    auto d = ref_logps - logps;
    auto kl = torch::exp(d) - d - 1.0;
    per_token = per_token + opt.beta * kl;
    out.kl = ((kl * m).sum().item<double>()) / tokens;
  }

  if (opt.loss_type == "grpo") {
    // Mean over each sequence's tokens, then over sequences: long answers weigh less per token.
    out.loss = ((per_token * m).sum(1) / m.sum(1).clamp_min(1.0)).mean();
  } else if (opt.loss_type == "bnpo" || opt.loss_type == "dapo") {
    // Token-level: every token of the batch weighs the same.
    out.loss = (per_token * m).sum() / m.sum().clamp_min(1.0);
  } else if (opt.loss_type == "dr_grpo") {
    // Dr. GRPO: a constant normaliser, free of the length bias.
    out.loss = (per_token * m).sum() / double(logps.size(0) * opt.max_completion_length);
  } else {
    throw std::invalid_argument("unknown loss_type '" + opt.loss_type + "' (grpo, bnpo, dr_grpo, dapo)");
  }

  torch::NoGradGuard ng;
  // Clipped where the clamp decided the objective: below 1-eps with a negative advantage,
  // above 1+eps_high with a positive one.
  auto low = (ratio < 1.0 - opt.epsilon).logical_and(adv < 0).to(m.scalar_type()) * m;
  auto high = (ratio > 1.0 + opt.epsilon_high).logical_and(adv > 0).to(m.scalar_type()) * m;
  out.clip_ratio_low = low.sum().item<double>() / tokens;
  out.clip_ratio_high = high.sum().item<double>() / tokens;
  out.clip_ratio = out.clip_ratio_low + out.clip_ratio_high;
  return out;
}

}  // namespace aha
