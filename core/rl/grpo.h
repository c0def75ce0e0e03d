#pragma once
// The GRPO objective as pure tensor functions, so that each can be checked by hand.
#include <torch/torch.h>

#include <string>

namespace aha {

// rewards [N] laid out group after group (N = groups x group_size). Advantage = reward
// minus its group's mean, divided by the group's std (unbiased, as TRL) when
// `scale_rewards`; a group with identical rewards gets zeros.
torch::Tensor group_advantages(const torch::Tensor& rewards, int64_t group_size, bool scale_rewards);

// Per group: 1 when every reward in the group is the same (that group teaches nothing).
torch::Tensor zero_std_groups(const torch::Tensor& rewards, int64_t group_size);

struct LossOptions {
  std::string loss_type = "dr_grpo";  // grpo | bnpo | dr_grpo | dapo
  double epsilon = 0.2;                // clip range below 1
  double epsilon_high = 0.2;           // clip range above 1 (DAPO's clip-higher)
  double beta = 0.0;                   // KL coefficient (k3 estimator)
  int64_t max_completion_length = 128; // dr_grpo's constant normaliser
};

struct LossResult {
  torch::Tensor loss;          // scalar, differentiable
  double kl = 0;               // mean per-token k3 KL (0 without a reference)
  double clip_ratio = 0;       // share of tokens whose ratio was clipped
  double clip_ratio_low = 0, clip_ratio_high = 0;
};

// logps, old_logps, ref_logps: [B,T] per-token log-probabilities of the sampled tokens;
// ref_logps undefined when beta = 0. advantages [B]; mask [B,T] (1 = completion token).
LossResult grpo_loss(const torch::Tensor& logps, const torch::Tensor& old_logps, const torch::Tensor& ref_logps,
                     const torch::Tensor& advantages, const torch::Tensor& mask, const LossOptions& opt);

}  // namespace aha
