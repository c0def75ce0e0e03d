#pragma once
// A GRPO run's configuration in TOML, with TRL's GRPOConfig names where one exists.
// Torch-free: the studio's New Run dialog edits and validates it too.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/tasks/prompt_format.h"
#include "core/analysis/reflection.h"
#include "core/tasks/task.h"

namespace aha {

struct RunConfig {
  std::string name = "run";
  std::string model = "builtin:tiny-arithmetic";  // or a Hugging Face model directory
  std::string device = "auto";                     // auto | cpu | cuda
  int seed = 42;
  int max_steps = 200;
  int threads = 0;  // CPU threads for torch (0 = leave torch's default)

  TaskOptions task;
  std::string prompt_template = "{question}<think>";  // or "r1-zero"
  std::string chat_template = "none";                  // none | chatml (Qwen checkpoints)
  std::string system_prompt;                           // chatml; empty = the R1-Zero instruction
  PromptFormat prompt_format() const { return {prompt_template, chat_template, system_prompt}; }

  // TRL GRPOConfig names.
  int num_generations = 8;
  int per_device_train_batch_size = 128;  // completions per step (prompts = this / num_generations)
  double beta = 0.0;
  double epsilon = 0.2;
  double epsilon_high = 0.2;
  std::string loss_type = "dr_grpo";  // grpo | bnpo | dr_grpo | dapo | cispo | sapo (core/rl/grpo.h)
  // token | sequence (GSPO: one ratio per sequence, the mean log-ratio of its tokens).
  std::string importance_sampling_level = "token";
  // group | batch | none (true and false read as "group" and "none"); adv_estimator grpo (and
  // grpo_passk: group or none) only.
  std::string scale_rewards = "group";
  // veRL's algorithm.adv_estimator: grpo | rloo | reinforce_plus_plus | grpo_passk (core/run/advantages.h).
  std::string adv_estimator = "grpo";
  // TRL's multi_objective_aggregation: "sum_then_normalize" weighs and sums the reward
  // functions, then forms advantages; "normalize_then_sum" (GDPO) normalises each function
  // within its group first, sums, and standardises over the batch (core/run/advantages.h).
  std::string multi_objective_aggregation = "sum_then_normalize";
  // TRL's delta (the two-sided clip of INTELLECT-2; 0 = off) and sapo's temperatures.
  double delta = 0.0;
  double sapo_temperature_pos = 1.0, sapo_temperature_neg = 1.05;
  // veRL's actor.policy_loss (core/rl/grpo.h): loss_mode vanilla | clip_cov | kl_cov (the
  // entropy mechanism, Cui et al. 2025) | geo_mean (GMPO), and their parameters with veRL's
  // defaults. kl_cov's penalty is |log-ratio|, 0 with one update per batch (num_iterations = 1).
  std::string loss_mode = "vanilla";
  double clip_cov_ratio = 0.0002, clip_cov_lb = 1.0, clip_cov_ub = 5.0;
  double kl_cov_ratio = 0.0002, ppo_kl_coef = 0.1;
  // TRL's entropy bonus (trl f2cd577 grpo_config.py): loss - entropy_coef x the mean
  // per-token entropy of the trained tokens, whatever loss_type. use_adaptive_entropy is
  // Skywork-OR1's control: after each update the coefficient moves by entropy_coef_delta
  // up while entropy is at or below entropy_target, down otherwise, within [entropy_coef_min,
  // entropy_coef_max], and applies only while the last measured entropy is at or below the target.
  double entropy_coef = 0.0;
  bool use_adaptive_entropy = false;
  double entropy_coef_min = 0.0, entropy_coef_max = 1.0, entropy_coef_delta = 0.005, entropy_target = 0.2;
  // TRL's vllm_importance_sampling_correction for our own sampler (a bf16 copy on CUDA; the
  // same weights on the CPU): the per-token loss times exp(log p_trainer - log p_sampler),
  // per token or per sequence, truncated to or masked outside [clip_min, clip_max]
  // (core/rl/grpo.h sampling_correction; clip_min 0: no lower bound). Needs token_lens.
  bool vllm_importance_sampling_correction = false;
  std::string vllm_importance_sampling_mode = "sequence_mask";
  double vllm_importance_sampling_clip_min = 0.0, vllm_importance_sampling_clip_max = 3.0;
  // Truncated completions (no end before max_completion_length) leave the loss (DAPO).
  bool mask_truncated_completions = false;
  // Train on the top quantile of tokens by entropy only (0.2 in Wang et al. 2025); 1 = all.
  double top_entropy_quantile = 1.0;
  // DAPO's dynamic sampling (veRL's algorithm.filter_groups): groups whose rewards are all
  // equal are dropped and more prompts sampled until the step has its batch of groups, or
  // max_num_gen_batches generation rounds were made (then it trains on what it has). Every
  // completion sampled is stored; the step's sample metrics cover them all.
  bool filter_groups = false;
  int max_num_gen_batches = 4;
  // DAPO's overlong reward shaping, TRL's soft_overlong_punishment reward function: 0 up to
  // max_completion_length - soft_punish_cache tokens, then falling linearly to -1 at
  // max_completion_length (its weight in reward_weights is the penalty factor).
  int soft_punish_cache = 32;
  // The `random` control reward's chance of a 1 (Shao et al.'s random0.5), drawn per
  // completion from the seed, the step and its place in the batch, never from its text.
  double random_reward_probability = 0.5;
  int num_iterations = 1;
  int max_completion_length = 160;
  double temperature = 1.0;
  double top_p = 1.0;
  double learning_rate = 1e-4;
  std::string lr_scheduler_type = "constant";  // constant | cosine
  int warmup_steps = 0;
  double max_grad_norm = 1.0;
  double weight_decay = 0.0;
  std::vector<std::string> reward_funcs = {"accuracy", "format"};
  std::vector<double> reward_weights = {1.0, 0.1};
  // The most the total reward can be: each reward function is 0 to 1.
  double max_total_reward() const {
    double most = 0;
    for (double w : reward_weights) most += w > 0 ? w : 0;
    return most;
  }
  int save_steps = 20;
  // Checkpoints kept for probing (docs/PROBES.md): the newest save_total_limit (TRL's
  // name; 0 keeps every one), and besides them every one whose step (its number of updates) is a
  // multiple of save_keep_every (0: none), so that pass@k can be followed over training.
  int save_total_limit = 2;
  int save_keep_every = 0;
  bool gradient_checkpointing = false;  // recompute layer activations in backward (big models)
  bool bf16 = true;  // on CUDA: float32 weights, matrix products in bfloat16 (autocast)
  // On CUDA: decode by replaying captured CUDA graphs of the decode step (one launch per
  // token instead of ~20 per layer); false decodes eagerly. The tokens are the same.
  bool cuda_graphs = true;
  // The token lens: keep each completion token's log-probability and entropy, read from
  // the logits it was sampled from (no extra forward pass; ~6 bytes a token in the store).
  bool token_lens = true;
  // The model as judge of reflections (early answering): for up to this many events a
  // step, the trained model's greedy answer forced just before the event and just after
  // it, judged by the task, gives each event a model verdict beside the text's (metrics
  // model_fix_rate, model_judge/agreement). Events beyond it are drawn at random and the
  // share judged is logged (model_judge/judged_share). 0: off.
  int model_judge_events = 0;
  int model_judge_tokens = 12;  // greedy tokens of each forced answer
  // Causal verdicts of fixes (docs/ANCHORS.md): for up to this many of a step's completions
  // with a fix (drawn at random beyond it), causal_fix_samples continuations with the
  // reflection resampled away against as many with it kept, from the weights that drew the
  // step; a fix is causal when kept is better beyond the 95% interval (metric
  // reflection/causal_fix_share, on the aha chart). Each costs 2 x causal_fix_samples
  // continuations. 0: off.
  int causal_fix_events = 0;
  int causal_fix_samples = 8;

  // [sweep]: the sweep this run is a member of (core/run/sweep.h) and its grid values and
  // seed as a JSON object; both empty for a run of its own. `members`: how many runs the
  // sweep has in all (0: not known, a sweep from before it was recorded).
  std::string sweep, sweep_values;
  int sweep_members = 0;

  // [reflection]: the aha detector's lexicon, the default one plus `phrases`.
  bool use_default_lexicon = true;
  std::vector<LexiconEntry> reflection_phrases;
  std::vector<LexiconEntry> lexicon() const;

  // Parses and validates. Errors (ConfigError) name the file, the key, the value and
  // the allowed range; an unknown key names the nearest valid one.
  static RunConfig from_toml(const std::string& text, const std::string& origin);
  static RunConfig load(const std::filesystem::path& file);
  std::string to_toml() const;  // the full effective config, stored with the run
  int prompts_per_step() const { return per_device_train_batch_size / num_generations; }
  // What a run would miss on this machine (the model directory, the data file), or "".
  std::string missing_inputs() const;
};

// A stored run's config text saying another name (its comments and order kept).
std::string config_with_name(const std::string& config_toml, const std::string& name);
// `base`, or "base-2", "base-3", ...: the first that `taken` says is free.
std::string fresh_run_name(const std::string& base, const std::function<bool(const std::string&)>& taken);

// "builtin:NAME" -> resources/models/NAME; anything else is a path ("~/" expanded).
std::filesystem::path resolve_model_path(const std::string& model);

}  // namespace aha
