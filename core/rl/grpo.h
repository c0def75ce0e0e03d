#pragma once
// The GRPO family's objectives as pure tensor functions, so that each can be checked by
// hand. Advantages come from core/run/advantages.h.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace aha {

struct LossOptions {
  // grpo     - mean over each sequence's tokens, then over sequences;
  // bnpo     - mean over the batch's tokens;
  // dr_grpo  - sum over tokens / (sequences x max_completion_length), length-neutral;
  // dapo     - as bnpo (token-level), TRL's name for DAPO's objective;
  // cispo    - MiniMax-M1's clipped IS-weight policy gradient: -min(w, epsilon_high)
  //            (no gradient through w) x advantage x log p, token-level; epsilon_high
  //            is then the weight's bound itself (TRL recommends 5.0);
  // sapo     - TRL's Soft Adaptive Policy Optimization (arXiv 2511.20347): no clip, the
  //            ratio r through a sigmoid, -sigmoid(tau (r - 1)) x 4 / tau x advantage per
  //            token (tau: sapo_temperature_pos for a positive advantage, _neg otherwise),
  //            averaged as grpo; at r = 1 its gradient is the vanilla one.
  std::string loss_type = "dr_grpo";
  // token: one ratio per token; sequence: GSPO's one ratio per sequence, exp of the
  // mean log-ratio over its tokens (Zheng et al. 2025).
  std::string importance_sampling_level = "token";
  double epsilon = 0.2;                // clip range below 1
  double epsilon_high = 0.2;           // clip range above 1 (DAPO's clip-higher)
  double beta = 0.0;                   // KL coefficient (k3 estimator)
  // TRL's delta (INTELLECT-2's two-sided clip): the unclipped ratio is capped at delta, so a
  // token with a negative advantage whose ratio ran away moves no further; 0 = off.
  double delta = 0.0;
  double sapo_temperature_pos = 1.0, sapo_temperature_neg = 1.05;
  // veRL's actor.policy_loss.loss_mode (verl-project/verl 1dda039, actor.yaml): vanilla, or
  // the entropy mechanism's controls (Cui et al. 2025, arXiv 2505.22617), which act on the
  // few tokens whose covariance of log-probability and advantage over the batch,
  // (A - mean A)(log p - mean log p), is highest:
  //   clip_cov - of the tokens the clip left alone with covariance in (clip_cov_lb,
  //              clip_cov_ub), clip_cov_ratio of the batch's tokens (at least one), drawn
  //              at random, lose their gradient;
  //   kl_cov   - no clip; the kl_cov_ratio of tokens (at least one) with the highest
  //              covariance get ppo_kl_coef x |log p - log p_old| added;
  //   geo_mean - GMPO (arXiv 2507.20673): each token's log-ratio clipped to [-epsilon,
  //              epsilon_high] on the side its advantage's sign says, one ratio per sequence,
  //              the exponential of their mean; -advantage x ratio averaged over sequences
  //              (loss_type's normaliser does not apply).
  // Token-level ratios only, not with cispo or sapo.
  std::string policy_loss = "vanilla";
  double clip_cov_ratio = 0.0002, clip_cov_lb = 1.0, clip_cov_ub = 5.0;
  double kl_cov_ratio = 0.0002, ppo_kl_coef = 0.1;
  int64_t max_completion_length = 128; // dr_grpo's constant normaliser
};

struct LossResult {
  torch::Tensor loss;  // scalar, differentiable
  double kl = 0;       // mean per-token k3 KL (0 without a reference)
  // Share of tokens (sequences, at sequence level) whose ratio the clip decided: below
  // 1 - epsilon with a negative advantage, above 1 + epsilon_high with a positive one;
  // region = either. For cispo, high = weights above epsilon_high with a positive one.
  double clip_ratio_region = 0, clip_ratio_low = 0, clip_ratio_high = 0;
  // clip_cov / kl_cov: the share of tokens whose loss the covariance control changed.
  double cov_controlled = 0;
};

// logps, old_logps, ref_logps: [B,T] per-token log-probabilities of the sampled tokens;
// ref_logps undefined when beta = 0. advantages [B]; mask [B,T] (1 = completion token,
// 0 = padding or a masked truncated completion: it also sets the normalisers).
// token_filter [B,T] or undefined: 0 takes a token out of the policy term but not out of
// the normalisers (TRL's top_entropy_quantile; entropy_token_filter makes it).
// is_weights [B,T] or [B,1] or undefined: the per-token loss is multiplied by it
// (sampling_correction).
LossResult grpo_loss(const torch::Tensor& logps, const torch::Tensor& old_logps, const torch::Tensor& ref_logps,
                     const torch::Tensor& advantages, const torch::Tensor& mask, const LossOptions& opt,
                     const torch::Tensor& token_filter = {}, const torch::Tensor& is_weights = {});

// The covariance lens of a batch (Cui et al. 2025): per token, (A - mean A)(log p - mean
// log p) over the masked tokens; entropy moves against the batch's mean covariance, and a
// few tokens carry most of it.
struct CovarianceStats {
  double mean = 0;         // mean over the tokens (the covariance of log p and A)
  double top_share = 0;    // the top `top_ratio` of tokens' (at least one) sum over the sum of the positive ones
  double top_entropy = 0;  // those tokens' mean entropy (nats); 0 without entropies
  int top_tokens = 0;
  double token_mean_advantage = 0, token_mean_logp = 0;  // the means it is taken around
};
CovarianceStats covariance_stats(const torch::Tensor& logps, const torch::Tensor& advantages, const torch::Tensor& mask,
                                 const torch::Tensor& entropies, double top_ratio = 0.0002);

// The sampler against the trainer (TRL's sampling/* metrics): |log p_trainer - log p_sampler|
// and the ratio exp(log p_trainer - log p_sampler) over the completion tokens.
struct SamplingMismatch {
  double logp_difference_mean = 0, logp_difference_max = 0;
  double ratio_min = 1, ratio_mean = 1, ratio_max = 1;
};
// trainer [B,T]; sampler: per row its new tokens' log-probabilities (rows may be shorter
// than T: the padding); mask [B,T].
SamplingMismatch sampling_mismatch(const torch::Tensor& trainer, const std::vector<std::vector<float>>& sampler,
                                   const torch::Tensor& mask);
// The sampler's log-probabilities as a [B,T] tensor like `like` (0 past each row's end).
torch::Tensor sampler_logps_tensor(const std::vector<std::vector<float>>& sampler, const torch::Tensor& like);

// TRL's vllm_importance_sampling_correction for a sampler that is not the trainer: the
// ratio exp(log p_trainer - log p_sampler) per token (token_*) or per sequence, the sum of
// its tokens' differences (sequence_*), clipped to [clip_min, clip_max] (*_truncate) or set
// to 0 outside it (*_mask); clip_min 0 is no lower bound. [B,T] or [B,1], no gradient: the
// per-token loss is multiplied by it. Throws std::invalid_argument for an unknown mode.
torch::Tensor sampling_correction(const torch::Tensor& trainer, const torch::Tensor& sampler, const torch::Tensor& mask,
                                  const std::string& mode, double clip_min, double clip_max);

// `mask` with the rows where `drop` is true cleared (mask_truncated_completions).
torch::Tensor without_rows(const torch::Tensor& mask, const std::vector<bool>& drop);

// 1 for the completion tokens whose entropy is at or above the (1 - quantile) quantile of
// the entropies under `mask` (Wang et al. 2025, "Beyond the 80/20 rule": train on the
// forking tokens); quantile 1 keeps every token, 0 only the highest.
torch::Tensor entropy_token_filter(const torch::Tensor& entropies, const torch::Tensor& mask, double quantile);

}  // namespace aha
