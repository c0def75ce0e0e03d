#include "core/run/run_config.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/run/advantages.h"
#include "core/support/config_reader.h"
#include "core/support/paths.h"
#include "core/support/toml_edit.h"
#include "core/tasks/task_config.h"
#include "core/tasks/rewards.h"
#include "db/run_sink.h"

namespace aha {

namespace {
std::string format_number(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}
}  // namespace

RunConfig RunConfig::from_toml(const std::string& text, const std::string& origin) {
  auto root = parse_toml_text(text, origin);
  ConfigReader r(root, origin);
  RunConfig c;
  c.name = r.text("name", c.name);
  if (const auto why = run_name_problem(c.name); !why.empty()) throw ConfigError(origin + ": name: " + why);
  c.model = r.text("model", c.model);
  c.device = r.text("device", c.device, {"auto", "cpu", "cuda"});
  c.seed = r.integer("seed", c.seed, 0, 2147483647);
  c.max_steps = r.integer("max_steps", c.max_steps, 1, 10000000);
  c.threads = r.integer("threads", c.threads, 0, 1024);
  c.prompt_template = r.text("prompt_template", c.prompt_template);
  if (c.prompt_template != "r1-zero" && c.prompt_template.find("{question}") == std::string::npos)
    throw ConfigError(origin + ": prompt_template: must contain {question} (or be \"r1-zero\")");
  c.chat_template = r.text("chat_template", c.chat_template, {"none", "chatml"});
  c.system_prompt = r.text("system_prompt", c.system_prompt);
  c.task = read_task_table(r.table("task"));

  c.num_generations = r.integer("num_generations", c.num_generations, 2, 1024);
  c.per_device_train_batch_size = r.integer("per_device_train_batch_size", c.per_device_train_batch_size, 2, 16384);
  if (c.per_device_train_batch_size % c.num_generations)
    throw ConfigError(origin + ": per_device_train_batch_size: value " + std::to_string(c.per_device_train_batch_size) +
                      " must be a multiple of num_generations (" + std::to_string(c.num_generations) + ")");
  c.beta = r.real("beta", c.beta, 0.0, 10.0);
  c.epsilon = r.real("epsilon", c.epsilon, 0.0, 1.0);
  c.epsilon_high = r.real("epsilon_high", c.epsilon, 0.0, 10.0);
  c.loss_type = r.text("loss_type", c.loss_type, {"grpo", "bnpo", "dr_grpo", "dapo", "cispo", "sapo"});
  c.sapo_temperature_pos = r.real("sapo_temperature_pos", c.sapo_temperature_pos, 1e-6, 1e3);
  c.sapo_temperature_neg = r.real("sapo_temperature_neg", c.sapo_temperature_neg, 1e-6, 1e3);
  c.delta = r.real("delta", c.delta, 0.0, 1e6);
  if (c.delta > 0 && c.delta <= 1.0 + c.epsilon_high)
    throw ConfigError(origin + ": delta: " + format_number(c.delta) + " caps the ratio inside the clip range (1 + "
                      "epsilon_high = " + format_number(1.0 + c.epsilon_high) + "); use a value above it (TRL "
                      "recommends > 1 + epsilon), or 0 for none");
  if (c.loss_type == "cispo" && c.epsilon_high < 1.0)
    throw ConfigError(origin + ": epsilon_high: with loss_type = \"cispo\" it bounds the importance weight itself "
                      "(MiniMax-M1's epsilon_max), so " + format_number(c.epsilon_high) +
                      " would scale every token's gradient down; use a value above 1 (TRL recommends 5.0)");
  c.importance_sampling_level = r.text("importance_sampling_level", c.importance_sampling_level, {"token", "sequence"});
  c.adv_estimator = r.text("adv_estimator", c.adv_estimator, advantage_estimators());
  const auto scaling = r.text_or_bool("scale_rewards", "", reward_scalings(), "group", "none");
  const bool group_scaled = c.adv_estimator == "grpo" || c.adv_estimator == "grpo_passk";
  if (!scaling.empty() && scaling != "none" && !group_scaled)
    throw ConfigError(origin + ": scale_rewards: \"" + scaling + "\" applies to adv_estimator = \"grpo\" only (" +
                      c.adv_estimator + (c.adv_estimator == "rloo" ? " has no std scaling" : " whitens over the batch") +
                      "); remove the key or set it to \"none\"");
  if (scaling == "batch" && c.adv_estimator == "grpo_passk")
    throw ConfigError(origin + ": scale_rewards: grpo_passk divides by its group's std (\"group\") or not at all "
                      "(\"none\"), as veRL's norm_adv_by_std_in_grpo does");
  c.scale_rewards = scaling.empty() ? (group_scaled ? "group" : "none") : scaling;
  c.multi_objective_aggregation =
      r.text("multi_objective_aggregation", c.multi_objective_aggregation, multi_objective_aggregations());
  if (c.multi_objective_aggregation == "normalize_then_sum" && c.adv_estimator != "grpo")
    throw ConfigError(origin + ": multi_objective_aggregation: \"normalize_then_sum\" forms grpo advantages "
                      "(TRL's GDPO); adv_estimator is \"" + c.adv_estimator + "\"");
  c.loss_mode = r.text("loss_mode", c.loss_mode, {"vanilla", "clip_cov", "kl_cov", "geo_mean"});
  c.clip_cov_ratio = r.real("clip_cov_ratio", c.clip_cov_ratio, 1e-9, 1.0);
  c.clip_cov_lb = r.real("clip_cov_lb", c.clip_cov_lb, -1e6, 1e6);
  c.clip_cov_ub = r.real("clip_cov_ub", c.clip_cov_ub, -1e6, 1e6);
  c.kl_cov_ratio = r.real("kl_cov_ratio", c.kl_cov_ratio, 1e-9, 1.0);
  c.ppo_kl_coef = r.real("ppo_kl_coef", c.ppo_kl_coef, 0.0, 1e6);
  if (c.clip_cov_lb >= c.clip_cov_ub)
    throw ConfigError(origin + ": clip_cov_lb: " + format_number(c.clip_cov_lb) + " is not below clip_cov_ub (" +
                      format_number(c.clip_cov_ub) + "): no covariance lies between them");
  if (c.loss_mode != "vanilla" &&
      (c.loss_type == "cispo" || c.loss_type == "sapo" || c.importance_sampling_level == "sequence"))
    throw ConfigError(origin + ": loss_mode: \"" + c.loss_mode + "\" acts on token-level ratios; it does not go with " +
                      (c.importance_sampling_level == "sequence" ? "importance_sampling_level = \"sequence\""
                                                                 : "loss_type = \"" + c.loss_type + "\""));
  c.entropy_coef = r.real("entropy_coef", c.entropy_coef, -10.0, 10.0);
  c.use_adaptive_entropy = r.boolean("use_adaptive_entropy", c.use_adaptive_entropy);
  c.entropy_coef_min = r.real("entropy_coef_min", c.entropy_coef_min, 0.0, 10.0);
  c.entropy_coef_max = r.real("entropy_coef_max", c.entropy_coef_max, 0.0, 10.0);
  c.entropy_coef_delta = r.real("entropy_coef_delta", c.entropy_coef_delta, 0.0, 10.0);
  c.entropy_target = r.real("entropy_target", c.entropy_target, 0.0, 100.0);
  if (c.use_adaptive_entropy && c.entropy_coef_min > c.entropy_coef_max)
    throw ConfigError(origin + ": entropy_coef_min: " + format_number(c.entropy_coef_min) + " is above entropy_coef_max (" +
                      format_number(c.entropy_coef_max) + ")");
  c.vllm_importance_sampling_correction =
      r.boolean("vllm_importance_sampling_correction", c.vllm_importance_sampling_correction);
  c.vllm_importance_sampling_mode = r.text("vllm_importance_sampling_mode", c.vllm_importance_sampling_mode,
                                           {"token_truncate", "token_mask", "sequence_truncate", "sequence_mask"});
  c.vllm_importance_sampling_clip_min =
      r.real("vllm_importance_sampling_clip_min", c.vllm_importance_sampling_clip_min, 0.0, 1.0);
  c.vllm_importance_sampling_clip_max =
      r.real("vllm_importance_sampling_clip_max", c.vllm_importance_sampling_clip_max, 1.0, 1e6);
  c.mask_truncated_completions = r.boolean("mask_truncated_completions", c.mask_truncated_completions);
  c.top_entropy_quantile = r.real("top_entropy_quantile", c.top_entropy_quantile, 0.0, 1.0);
  c.filter_groups = r.boolean("filter_groups", c.filter_groups);
  c.max_num_gen_batches = r.integer("max_num_gen_batches", c.max_num_gen_batches, 1, 1000);
  c.num_iterations = r.integer("num_iterations", c.num_iterations, 1, 64);
  c.max_completion_length = r.integer("max_completion_length", c.max_completion_length, 1, 1 << 16);
  c.temperature = r.real("temperature", c.temperature, 0.0, 10.0);
  if (c.temperature == 0)
    throw ConfigError(origin + ": temperature: 0 samples greedily, so every completion of a group is the same, every "
                      "advantage is 0 and nothing is learned; use a value > 0 (1.0 is the R1-Zero recipe)");
  c.top_p = r.real("top_p", c.top_p, 0.01, 1.0);
  c.learning_rate = r.real("learning_rate", c.learning_rate, 0.0, 1.0);
  if (c.learning_rate == 0)
    throw ConfigError(origin + ": learning_rate: 0 trains nothing; give a positive rate (1e-4 for the built-in model, "
                      "1e-6 to 1e-5 for Qwen2.5 checkpoints)");
  c.lr_scheduler_type = r.text("lr_scheduler_type", c.lr_scheduler_type, {"constant", "cosine"});
  c.warmup_steps = r.integer("warmup_steps", c.warmup_steps, 0, 10000000);
  c.max_grad_norm = r.real("max_grad_norm", c.max_grad_norm, 0.0, 1e6);
  c.weight_decay = r.real("weight_decay", c.weight_decay, 0.0, 10.0);
  c.reward_funcs = r.text_list("reward_funcs", c.reward_funcs);
  for (const auto& f : c.reward_funcs) {
    const auto known = known_reward_functions();
    if (std::find(known.begin(), known.end(), f) == known.end())
      throw ConfigError(origin + ": reward_funcs: unknown reward function '" + f + "' (known: " + join_names(known) + ")");
  }
  c.soft_punish_cache = r.integer("soft_punish_cache", c.soft_punish_cache, 1, 1 << 16);
  if (std::find(c.reward_funcs.begin(), c.reward_funcs.end(), "soft_overlong_punishment") != c.reward_funcs.end() &&
      c.soft_punish_cache >= c.max_completion_length)
    throw ConfigError(origin + ": soft_punish_cache: " + std::to_string(c.soft_punish_cache) +
                      " tokens is not below max_completion_length (" + std::to_string(c.max_completion_length) +
                      "): the penalty would start before the first token; use a smaller buffer");
  c.random_reward_probability = r.real("random_reward_probability", c.random_reward_probability, 0.0, 1.0);
  c.reward_weights = r.real_list("reward_weights", std::vector<double>(c.reward_funcs.size(), 1.0));
  for (size_t i = 0; i < c.reward_weights.size(); ++i)
    if (!std::isfinite(c.reward_weights[i]) || std::abs(c.reward_weights[i]) > 1e6)
      throw ConfigError(origin + ": reward_weights: weight " + std::to_string(i + 1) + " is " +
                        std::to_string(c.reward_weights[i]) + "; a weight is a finite number within +-1e6");
  if (c.reward_weights.size() != c.reward_funcs.size())
    throw ConfigError(origin + ": reward_weights: " + std::to_string(c.reward_weights.size()) + " weights for " +
                      std::to_string(c.reward_funcs.size()) + " reward_funcs; give one weight per function");
  c.save_steps = r.integer("save_steps", c.save_steps, 1, 10000000);
  c.save_total_limit = r.integer("save_total_limit", c.save_total_limit, 0, 10000000);
  c.save_keep_every = r.integer("save_keep_every", c.save_keep_every, 0, 10000000);
  c.gradient_checkpointing = r.boolean("gradient_checkpointing", c.gradient_checkpointing);
  c.bf16 = r.boolean("bf16", c.bf16);
  c.cuda_graphs = r.boolean("cuda_graphs", c.cuda_graphs);
  c.token_lens = r.boolean("token_lens", c.token_lens);
  if (c.vllm_importance_sampling_correction && !c.token_lens)
    throw ConfigError(origin + ": vllm_importance_sampling_correction: the sampler's log-probabilities are kept only "
                      "with token_lens = true");
  c.model_judge_events = r.integer("model_judge_events", c.model_judge_events, 0, 4096);
  c.model_judge_tokens = r.integer("model_judge_tokens", c.model_judge_tokens, 1, 256);
  c.causal_fix_events = r.integer("causal_fix_events", c.causal_fix_events, 0, 4096);
  c.causal_fix_samples = r.integer("causal_fix_samples", c.causal_fix_samples, 1, 1024);
  auto sweep = r.table("sweep");
  c.sweep = sweep.text("name", "");
  c.sweep_values = sweep.text("values", "");
  c.sweep_members = sweep.integer("members", 0, 0, 1 << 20);
  sweep.reject_unknown();
  auto refl = r.table("reflection");
  c.use_default_lexicon = refl.boolean("use_default_lexicon", c.use_default_lexicon);
  for (auto& p : refl.table_list("phrases")) {
    LexiconEntry e;
    e.phrase = p.text("phrase", "");
    if (e.phrase.empty()) throw ConfigError(origin + ": reflection.phrases: every entry needs a non-empty phrase");
    e.category = reflection_category_from_string(p.text("category", "backtracking", {"verification", "backtracking", "restart"}));
    e.preceded_by = p.text_list("preceded_by", {});
    e.followed_by = p.text_list("followed_by", {});
    e.not_followed_by = p.text_list("not_followed_by", {});
    e.not_preceded_by = p.text_list("not_preceded_by", {});
    p.reject_unknown();
    c.reflection_phrases.push_back(std::move(e));
  }
  refl.reject_unknown();
  r.reject_unknown();
  return c;
}

RunConfig RunConfig::load(const std::filesystem::path& given) {
  const auto file = expand_user_path(given.string());
  if (std::filesystem::is_directory(file))
    throw ConfigError("run config '" + file.string() + "' is a directory; give a TOML file (e.g. " +
                      (resources_dir() / "presets" / "demo-arithmetic.toml").string() + ")");
  std::ifstream in(file);
  if (!in)
    throw ConfigError("cannot open run config '" + file.string() + "': " +
                      (std::filesystem::exists(file) ? "permission denied" : "no such file"));
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = from_toml(ss.str(), file.string());
  // A data file is found next to the config that names it, wherever the run starts;
  // "~/data/x.jsonl" is the user's home, not a folder named "~" beside the config.
  if (!c.task.data_file.empty()) c.task.data_file = expand_user_path(c.task.data_file).string();
  if (!c.task.data_file.empty() && std::filesystem::path(c.task.data_file).is_relative())
    c.task.data_file = (std::filesystem::absolute(file).parent_path() / c.task.data_file).lexically_normal().string();
  return c;
}

std::string RunConfig::to_toml() const {
  toml::table task_table{{"name", task.name},
                         {"min_terms", task.min_terms},
                         {"max_terms", task.max_terms},
                         {"min_value", task.min_value},
                         {"max_value", task.max_value},
                         {"countdown_numbers", task.countdown_numbers},
                         {"countdown_max_target", task.countdown_max_target},
                         {"data_file", task.data_file},
                         {"data_format", task.data_format},
                         {"question_field", task.question_field},
                         {"answer_field", task.answer_field},
                         {"nums_field", task.nums_field},
                         {"target_field", task.target_field},
                         {"on_bad_line", task.on_bad_line},
                         {"answer_tolerance", task.answer_tolerance}};
  toml::array funcs, weights;
  for (const auto& f : reward_funcs) funcs.push_back(f);
  for (double w : reward_weights) weights.push_back(w);
  toml::table t{{"name", name},
                {"model", model},
                {"device", device},
                {"seed", seed},
                {"max_steps", max_steps},
                {"threads", threads},
                {"prompt_template", prompt_template},
                {"chat_template", chat_template},
                {"system_prompt", system_prompt},
                {"num_generations", num_generations},
                {"per_device_train_batch_size", per_device_train_batch_size},
                {"beta", beta},
                {"epsilon", epsilon},
                {"epsilon_high", epsilon_high},
                {"loss_type", loss_type},
                {"importance_sampling_level", importance_sampling_level},
                {"scale_rewards", scale_rewards},
                {"adv_estimator", adv_estimator},
                {"multi_objective_aggregation", multi_objective_aggregation},
                {"delta", delta},
                {"sapo_temperature_pos", sapo_temperature_pos},
                {"sapo_temperature_neg", sapo_temperature_neg},
                {"loss_mode", loss_mode},
                {"clip_cov_ratio", clip_cov_ratio},
                {"clip_cov_lb", clip_cov_lb},
                {"clip_cov_ub", clip_cov_ub},
                {"kl_cov_ratio", kl_cov_ratio},
                {"ppo_kl_coef", ppo_kl_coef},
                {"entropy_coef", entropy_coef},
                {"use_adaptive_entropy", use_adaptive_entropy},
                {"entropy_coef_min", entropy_coef_min},
                {"entropy_coef_max", entropy_coef_max},
                {"entropy_coef_delta", entropy_coef_delta},
                {"entropy_target", entropy_target},
                {"mask_truncated_completions", mask_truncated_completions},
                {"top_entropy_quantile", top_entropy_quantile},
                {"filter_groups", filter_groups},
                {"max_num_gen_batches", max_num_gen_batches},
                {"soft_punish_cache", soft_punish_cache},
                {"random_reward_probability", random_reward_probability},
                {"num_iterations", num_iterations},
                {"max_completion_length", max_completion_length},
                {"temperature", temperature},
                {"top_p", top_p},
                {"learning_rate", learning_rate},
                {"lr_scheduler_type", lr_scheduler_type},
                {"warmup_steps", warmup_steps},
                {"max_grad_norm", max_grad_norm},
                {"weight_decay", weight_decay},
                {"reward_funcs", funcs},
                {"reward_weights", weights},
                {"save_steps", save_steps},
                {"save_total_limit", save_total_limit},
                {"save_keep_every", save_keep_every},
                {"gradient_checkpointing", gradient_checkpointing},
                {"bf16", bf16},
                {"cuda_graphs", cuda_graphs},
                {"token_lens", token_lens},
                {"vllm_importance_sampling_correction", vllm_importance_sampling_correction},
                {"vllm_importance_sampling_mode", vllm_importance_sampling_mode},
                {"vllm_importance_sampling_clip_min", vllm_importance_sampling_clip_min},
                {"vllm_importance_sampling_clip_max", vllm_importance_sampling_clip_max},
                {"model_judge_events", model_judge_events},
                {"model_judge_tokens", model_judge_tokens},
                {"causal_fix_events", causal_fix_events},
                {"causal_fix_samples", causal_fix_samples},
                {"task", task_table}};
  toml::array phrases;
  for (const auto& e : reflection_phrases) {
    auto list = [](const std::vector<std::string>& v) {
      toml::array a;
      for (const auto& s : v) a.push_back(s);
      return a;
    };
    phrases.push_back(toml::table{{"phrase", e.phrase},
                                  {"category", to_string(e.category)},
                                  {"preceded_by", list(e.preceded_by)},
                                  {"followed_by", list(e.followed_by)},
                                  {"not_followed_by", list(e.not_followed_by)},
                                  {"not_preceded_by", list(e.not_preceded_by)}});
  }
  t.insert("reflection", toml::table{{"use_default_lexicon", use_default_lexicon}, {"phrases", phrases}});
  if (!sweep.empty())
    t.insert("sweep", toml::table{{"name", sweep}, {"values", sweep_values}, {"members", sweep_members}});
  std::ostringstream out;
  out << t << "\n";
  return out.str();
}

std::vector<LexiconEntry> RunConfig::lexicon() const {
  auto out = use_default_lexicon ? default_reflection_lexicon() : std::vector<LexiconEntry>{};
  out.insert(out.end(), reflection_phrases.begin(), reflection_phrases.end());
  return out;
}

std::string config_with_name(const std::string& config_toml, const std::string& name) {
  return set_toml_value(config_toml, "", "name", toml_string(name));
}

std::string fresh_run_name(const std::string& base, const std::function<bool(const std::string&)>& taken) {
  std::string name = base;
  for (int k = 2; taken(name); ++k) name = base + "-" + std::to_string(k);
  return name;
}

std::filesystem::path resolve_model_path(const std::string& model) {
  const std::string prefix = "builtin:";
  if (model.rfind(prefix, 0) == 0) return resources_dir() / "models" / model.substr(prefix.size());
  return expand_user_path(model);
}

std::string RunConfig::missing_inputs() const {
  const auto dir = resolve_model_path(model);
  if (!std::filesystem::exists(dir / "config.json"))
    return "model: no model at '" + dir.string() + "' (a directory with config.json, model.safetensors and "
           "tokenizer.json, as downloaded from the Hugging Face Hub)";
  if (!task.data_file.empty() && !std::filesystem::exists(expand_user_path(task.data_file)))
    return "task.data_file: no file at '" + expand_user_path(task.data_file).string() + "'";
  return {};
}

}  // namespace aha
