#include "core/rl/grpo.h"

#include <algorithm>
#include <stdexcept>

namespace aha {

LossResult grpo_loss(const torch::Tensor& logps, const torch::Tensor& old_logps, const torch::Tensor& ref_logps,
                     const torch::Tensor& advantages, const torch::Tensor& mask, const LossOptions& opt,
                     const torch::Tensor& token_filter) {
  auto m = mask.to(logps.scalar_type());
  auto adv = advantages.to(logps.scalar_type()).unsqueeze(1);
  auto log_ratio = logps - old_logps;
  const bool per_sequence = opt.importance_sampling_level == "sequence";
  if (per_sequence) {
    log_ratio = ((log_ratio * m).sum(1) / m.sum(1).clamp_min(1.0)).unsqueeze(1);  // [B,1]
  } else if (opt.importance_sampling_level != "token") {
    throw std::invalid_argument("unknown importance_sampling_level '" + opt.importance_sampling_level +
                                "' (token, sequence)");
  }
  auto ratio = torch::exp(log_ratio);

  torch::Tensor per_token;
  if (opt.loss_type == "cispo") {
    per_token = -torch::clamp_max(ratio, opt.epsilon_high).detach() * adv * logps;
  } else {
    auto clipped = torch::clamp(ratio, 1.0 - opt.epsilon, 1.0 + opt.epsilon_high);
    per_token = -torch::min(ratio * adv, clipped * adv);
  }
  if (token_filter.defined()) per_token = per_token * token_filter.to(m.scalar_type());

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
  } else if (opt.loss_type == "bnpo" || opt.loss_type == "dapo" || opt.loss_type == "cispo") {
    // Token-level: every token of the batch weighs the same.
    out.loss = (per_token * m).sum() / m.sum().clamp_min(1.0);
  } else if (opt.loss_type == "dr_grpo") {
    // Dr. GRPO: a constant normaliser, free of the length bias.
    out.loss = (per_token * m).sum() / double(logps.size(0) * opt.max_completion_length);
  } else {
    throw std::invalid_argument("unknown loss_type '" + opt.loss_type + "' (grpo, bnpo, dr_grpo, dapo, cispo)");
  }

  torch::NoGradGuard ng;
  // Shares over tokens, or over sequences when there is one ratio per sequence.
  const auto share = [&](const torch::Tensor& flags) {
    const auto f = flags.to(m.scalar_type());
    return per_sequence ? f.sum().item<double>() / std::max<int64_t>(1, f.size(0)) : (f * m).sum().item<double>() / tokens;
  };
  if (opt.loss_type == "cispo") {
    out.clip_ratio_high = share((ratio > opt.epsilon_high).logical_and(adv > 0));
    out.clip_ratio_region = out.clip_ratio_high;
    return out;
  }
  const auto low = (ratio < 1.0 - opt.epsilon).logical_and(adv < 0);
  const auto high = (ratio > 1.0 + opt.epsilon_high).logical_and(adv > 0);
  out.clip_ratio_low = share(low);
  out.clip_ratio_high = share(high);
  out.clip_ratio_region = share(low.logical_or(high));
  return out;
}

torch::Tensor without_rows(const torch::Tensor& mask, const std::vector<bool>& drop) {
  TORCH_CHECK(static_cast<int64_t>(drop.size()) == mask.size(0), "without_rows: ", drop.size(), " flags for ",
              mask.size(0), " rows");
  std::vector<float> keep(drop.size());
  for (size_t i = 0; i < drop.size(); ++i) keep[i] = drop[i] ? 0.0f : 1.0f;
  return mask * torch::tensor(keep).to(mask.device()).to(mask.scalar_type()).unsqueeze(1);
}

torch::Tensor entropy_token_filter(const torch::Tensor& entropies, const torch::Tensor& mask, double quantile) {
  const auto valid = mask.to(torch::kBool);
  const auto values = entropies.masked_select(valid).to(torch::kFloat32);
  if (values.numel() == 0) return torch::zeros_like(valid);
  const auto threshold = torch::quantile(values, std::clamp(1.0 - quantile, 0.0, 1.0));
  return entropies.ge(threshold).logical_and(valid);
}

}  // namespace aha
