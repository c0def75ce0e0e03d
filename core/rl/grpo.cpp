#include "core/rl/grpo.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace aha {

namespace {

// clip_cov and kl_cov's per-token losses (LossOptions::policy_loss), as veRL computes them.
torch::Tensor covariance_controlled_loss(const torch::Tensor& logps, const torch::Tensor& old_logps,
                                         const torch::Tensor& ratio, const torch::Tensor& adv, const torch::Tensor& m,
                                         const LossOptions& opt, double* controlled) {
  const auto valid = m > 0;
  const double n = m.sum().item<double>();
  const auto a = adv.expand_as(logps);
  auto pg = -a * ratio;
  if (n < 1) return pg;
  torch::Tensor cov;
  {
    torch::NoGradGuard ng;
    const auto lp = logps.detach();
    cov = (a - (a * m).sum() / n) * (lp - (lp * m).sum() / n);
  }
  if (opt.policy_loss == "clip_cov") {
    auto clipped = -a * torch::clamp(ratio, 1.0 - opt.epsilon, 1.0 + opt.epsilon_high);
    torch::Tensor chosen;
    {
      torch::NoGradGuard ng;
      const auto by_clip = clipped.gt(pg).logical_and(valid);
      const auto candidates =
          valid.logical_and(by_clip.logical_not()).logical_and(cov.gt(opt.clip_cov_lb)).logical_and(cov.lt(opt.clip_cov_ub));
      const auto where = torch::nonzero(candidates.reshape(-1)).reshape(-1);
      const int64_t take = std::min<int64_t>(std::max<int64_t>(int64_t(opt.clip_cov_ratio * n), 1), where.numel());
      chosen = where.index_select(0, torch::randperm(where.numel(), torch::kLong).slice(0, 0, take).to(where.device()));
      *controlled = double(take) / n;
    }
    auto corr = torch::ones_like(pg).reshape(-1).index_fill(0, chosen, 0.0).reshape(pg.sizes());
    return torch::max(pg, clipped) * corr;
  }
  // kl_cov: the highest covariances among the valid tokens get the |log-ratio| penalty.
  torch::Tensor top;
  {
    torch::NoGradGuard ng;
    const int64_t take = std::max<int64_t>(1, int64_t(n * opt.kl_cov_ratio));
    const auto ranked = cov.masked_fill(valid.logical_not(), -INFINITY).reshape(-1);
    top = std::get<1>(torch::topk(ranked, take));
    *controlled = double(take) / n;
  }
  auto penalty = torch::zeros_like(pg).reshape(-1).index_fill(0, top, 1.0).reshape(pg.sizes());
  return pg + penalty * opt.ppo_kl_coef * (logps - old_logps).abs();
}

// GMPO (veRL's geo_mean): the geometric mean of each sequence's clipped token ratios.
LossResult geo_mean_loss(const torch::Tensor& logps, const torch::Tensor& old_logps, const torch::Tensor& ref_logps,
                         const torch::Tensor& adv, const torch::Tensor& m, const LossOptions& opt) {
  const auto log_ratio = logps - old_logps;
  const auto sign = torch::sign(adv);
  const auto clamped = torch::clamp(log_ratio, -opt.epsilon, opt.epsilon_high);
  const auto kept = sign * torch::min(sign * log_ratio, sign * clamped);
  const auto lengths = m.sum(1);
  const auto ratio = torch::exp((kept * m).sum(1) / (lengths + 1e-8));
  LossResult out;
  out.loss = (-adv.squeeze(1) * ratio).mean();
  const double tokens = std::max(1.0, m.sum().item<double>());
  if (opt.beta > 0.0) {
    TORCH_CHECK(ref_logps.defined(), "beta > 0 needs reference log-probabilities");
    auto d = ref_logps - logps;
    auto kl = torch::exp(d) - d - 1.0;
    out.loss = out.loss + opt.beta * (kl * m).sum() / tokens;
    out.kl = ((kl * m).sum().item<double>()) / tokens;
  }
  torch::NoGradGuard ng;
  const auto clipped = log_ratio.ne(clamped).to(m.scalar_type()) * m;
  out.clip_ratio_high = (clipped * (adv > 0).to(m.scalar_type())).sum().item<double>() / tokens;
  out.clip_ratio_low = (clipped * (adv < 0).to(m.scalar_type())).sum().item<double>() / tokens;
  out.clip_ratio_region = out.clip_ratio_high + out.clip_ratio_low;
  return out;
}

}  // namespace

LossResult grpo_loss(const torch::Tensor& logps, const torch::Tensor& old_logps, const torch::Tensor& ref_logps,
                     const torch::Tensor& advantages, const torch::Tensor& mask, const LossOptions& opt,
                     const torch::Tensor& token_filter, const torch::Tensor& is_weights) {
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
  double controlled = 0;
  if (opt.policy_loss != "vanilla") {
    if (opt.policy_loss != "clip_cov" && opt.policy_loss != "kl_cov" && opt.policy_loss != "geo_mean")
      throw std::invalid_argument("unknown policy_loss '" + opt.policy_loss + "' (vanilla, clip_cov, kl_cov, geo_mean)");
    if (per_sequence || opt.loss_type == "cispo" || opt.loss_type == "sapo")
      throw std::invalid_argument("policy_loss " + opt.policy_loss + " works on token-level ratios (not with "
                                  "importance_sampling_level sequence or loss_type cispo or sapo)");
    if (opt.policy_loss == "geo_mean") return geo_mean_loss(logps, old_logps, ref_logps, adv, m, opt);
    per_token = covariance_controlled_loss(logps, old_logps, ratio, adv, m, opt, &controlled);
  } else if (opt.loss_type == "cispo") {
    per_token = -torch::clamp_max(ratio, opt.epsilon_high).detach() * adv * logps;
  } else if (opt.loss_type == "sapo") {
    const auto tau = torch::where(adv > 0, torch::full_like(adv, opt.sapo_temperature_pos),
                                  torch::full_like(adv, opt.sapo_temperature_neg));
    per_token = -torch::sigmoid(tau * (ratio - 1.0)) * 4.0 / tau * adv;
  } else {
    auto clipped = torch::clamp(ratio, 1.0 - opt.epsilon, 1.0 + opt.epsilon_high);
    auto capped = opt.delta > 0 ? torch::clamp_max(ratio, opt.delta) : ratio;  // TRL's two-sided clip
    per_token = -torch::min(capped * adv, clipped * adv);
  }
  if (token_filter.defined()) per_token = per_token * token_filter.to(m.scalar_type());
  if (is_weights.defined()) per_token = per_token * is_weights.detach().to(per_token.scalar_type());

  LossResult out;
  out.cov_controlled = controlled;
  const double tokens = std::max(1.0, m.sum().item<double>());
  if (opt.beta > 0.0) {
    TORCH_CHECK(ref_logps.defined(), "beta > 0 needs reference log-probabilities");
    // k3 estimator of KL(policy || reference): exp(r - p) - (r - p) - 1, always >= 0.
    auto d = ref_logps - logps;
    auto kl = torch::exp(d) - d - 1.0;
    per_token = per_token + opt.beta * kl;
    out.kl = ((kl * m).sum().item<double>()) / tokens;
  }

  if (opt.loss_type == "grpo" || opt.loss_type == "sapo") {
    // Mean over each sequence's tokens, then over sequences: long answers weigh less per token.
    out.loss = ((per_token * m).sum(1) / m.sum(1).clamp_min(1.0)).mean();
  } else if (opt.loss_type == "bnpo" || opt.loss_type == "dapo" || opt.loss_type == "cispo") {
    // Token-level: every token of the batch weighs the same.
    out.loss = (per_token * m).sum() / m.sum().clamp_min(1.0);
  } else if (opt.loss_type == "dr_grpo") {
    // Dr. GRPO: a constant normaliser, free of the length bias.
    out.loss = (per_token * m).sum() / double(logps.size(0) * opt.max_completion_length);
  } else {
    throw std::invalid_argument("unknown loss_type '" + opt.loss_type + "' (grpo, bnpo, dr_grpo, dapo, cispo, sapo)");
  }

  torch::NoGradGuard ng;
  // Shares over tokens, or over sequences when there is one ratio per sequence.
  const auto share = [&](const torch::Tensor& flags) {
    const auto f = flags.to(m.scalar_type());
    return per_sequence ? f.sum().item<double>() / std::max<int64_t>(1, f.size(0)) : (f * m).sum().item<double>() / tokens;
  };
  if (opt.policy_loss == "kl_cov") return out;  // no clip: nothing for the clip shares to say
  if (opt.loss_type == "sapo") return out;  // a soft gate, no clip
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

CovarianceStats covariance_stats(const torch::Tensor& logps, const torch::Tensor& advantages, const torch::Tensor& mask,
                                 const torch::Tensor& entropies, double top_ratio) {
  torch::NoGradGuard ng;
  CovarianceStats out;
  const auto m = mask.to(torch::kFloat64);
  const double n = m.sum().item<double>();
  if (n < 1) return out;
  const auto lp = logps.detach().to(torch::kFloat64);
  const auto a = advantages.to(torch::kFloat64).unsqueeze(1).expand_as(lp);
  out.token_mean_advantage = (a * m).sum().item<double>() / n;
  out.token_mean_logp = (lp * m).sum().item<double>() / n;
  const auto cov = (a - out.token_mean_advantage) * (lp - out.token_mean_logp) * m;
  out.mean = cov.sum().item<double>() / n;
  const int64_t take = std::max<int64_t>(1, int64_t(top_ratio * n));
  const auto [values, where] = torch::topk(cov.masked_fill(m.eq(0), -INFINITY).reshape(-1), take);
  const double positive = cov.clamp_min(0).sum().item<double>();
  out.top_share = positive > 0 ? values.clamp_min(0).sum().item<double>() / positive : 0.0;
  out.top_tokens = int(take);
  if (entropies.defined()) out.top_entropy = entropies.detach().reshape(-1).to(torch::kFloat64).index_select(0, where).mean().item<double>();
  return out;
}

torch::Tensor sampler_logps_tensor(const std::vector<std::vector<float>>& sampler, const torch::Tensor& like) {
  auto s = torch::zeros({like.size(0), like.size(1)}, torch::kFloat64);
  auto cells = s.accessor<double, 2>();
  for (size_t b = 0; b < sampler.size() && int64_t(b) < like.size(0); ++b)
    for (size_t i = 0; i < sampler[b].size() && int64_t(i) < like.size(1); ++i) cells[b][i] = sampler[b][i];
  return s.to(like.device(), like.scalar_type());
}

torch::Tensor sampling_correction(const torch::Tensor& trainer, const torch::Tensor& sampler, const torch::Tensor& mask,
                                  const std::string& mode, double clip_min, double clip_max) {
  torch::NoGradGuard ng;
  const bool sequence = mode == "sequence_mask" || mode == "sequence_truncate";
  const bool truncate = mode == "token_truncate" || mode == "sequence_truncate";
  if (!sequence && !truncate && mode != "token_mask")
    throw std::invalid_argument("unknown vllm_importance_sampling_mode '" + mode +
                                "' (token_truncate, token_mask, sequence_truncate, sequence_mask)");
  auto diff = (trainer.detach() - sampler) * mask.to(trainer.scalar_type());
  if (sequence) diff = diff.sum(-1, /*keepdim=*/true);
  auto ratio = torch::exp(diff);
  if (truncate) return clip_min > 0 ? torch::clamp(ratio, clip_min, clip_max) : torch::clamp_max(ratio, clip_max);
  return ratio.masked_fill(ratio.lt(clip_min).logical_or(ratio.gt(clip_max)), 0.0);
}

SamplingMismatch sampling_mismatch(const torch::Tensor& trainer, const std::vector<std::vector<float>>& sampler,
                                   const torch::Tensor& mask) {
  torch::NoGradGuard ng;
  const auto t = trainer.to(torch::kCPU, torch::kFloat64).contiguous();
  const auto m = mask.to(torch::kCPU, torch::kFloat64).contiguous();
  TORCH_CHECK(t.size(0) == int64_t(sampler.size()), "sampling_mismatch: ", sampler.size(), " rows for ", t.size(0));
  const auto s = sampler_logps_tensor(sampler, t);
  const auto valid = m > 0;
  SamplingMismatch out;
  if (!valid.any().item<bool>()) return out;
  const auto d = (t - s).masked_select(valid);
  const auto ratio = torch::exp(d);
  out.logp_difference_mean = d.abs().mean().item<double>();
  out.logp_difference_max = d.abs().max().item<double>();
  out.ratio_min = ratio.min().item<double>();
  out.ratio_mean = ratio.mean().item<double>();
  out.ratio_max = ratio.max().item<double>();
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
