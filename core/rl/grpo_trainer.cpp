#include "core/rl/grpo_trainer.h"

#include "core/rl/runtime_info.h"
#include "core/run/step_metrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/model/blas_threads.h"
#include "core/model/checkpoint.h"
#include "core/tasks/corpus.h"
#include "core/model/cuda_autocast.h"
#include "core/model/packed_pass.h"
#include "core/rl/evaluate.h"
#include "core/rl/grpo.h"
#include "core/run/advantages.h"
#include "core/support/json_file.h"
#include "core/analysis/reflection.h"
#include "core/analysis/token_trace.h"
#include "core/tasks/control_rewards.h"
#include "core/tasks/rewards.h"
#include "core/rl/causal_fixes.h"
#include "core/rl/forced_answer.h"
#include "core/rl/sampler.h"
#include "core/support/version.h"

namespace aha {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// SplitMix64 of the run's seed and the step: streams of neighbouring steps share nothing.
uint64_t step_stream_seed(int64_t seed, int64_t step) {
  uint64_t z = static_cast<uint64_t>(seed) + 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(step + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return (z ^ (z >> 31)) & 0x7FFFFFFFFFFFFFFFull;  // torch::manual_seed takes it as given
}

}  // namespace

struct GrpoTrainer::Impl {
  RunConfig cfg;
  RunSink& sink;
  std::filesystem::path checkpoint_root;
  torch::Device device = torch::kCPU;
  Transformer policy{nullptr}, reference{nullptr};
  Transformer rollout{nullptr};  // bfloat16 copy of the policy for sampling (CUDA, bf16)
  std::unique_ptr<Tokenizer> tok;
  std::unique_ptr<Task> task;
  std::vector<RewardFunction> rewards;
  std::unique_ptr<torch::optim::AdamW> optimizer;
  std::mt19937_64 rng;
  int64_t step = 0;
  double avg_step_seconds = 0;
  int64_t tokens_seen = 0;  // prompt + completion tokens of every round so far (TRL's num_tokens)
  // The entropy bonus's coefficient (adaptive: as it stands now) and the entropy measured at
  // the last update (infinite before one: no adaptive bonus until it is measured, as TRL).
  double entropy_coef = 0.0, last_entropy = INFINITY;
  bool warned_unknown = false;  // a prompt had characters the tokenizer cannot encode (said once)
  bool prompt_opens_think = false;
  ReflectionDetector detector;

  Impl(RunConfig c, RunSink& s, std::filesystem::path root)
      : cfg(std::move(c)), sink(s), checkpoint_root(std::move(root)), detector(cfg.lexicon()) {}

  std::filesystem::path run_dir() const { return checkpoint_root / cfg.name; }

  TokenTrace token_trace(const Generation& gen, int row) const {
    TokenTrace t;
    const auto& ids = gen.completions[row];
    std::vector<std::string> pieces;
    for (int id : ids) pieces.push_back(tok->token_bytes(id));
    t.ids.assign(ids.begin(), ids.end());
    t.begins = token_begins(pieces);
    t.logprobs = gen.logprobs[row];
    t.entropies = gen.entropies[row];
    return t;
  }

  // TRL's entropy bonus for one update: the coefficient as it stands (adaptive: applied only
  // while the entropy measured at the last update is at or below the target) times the mean
  // entropy of the trained tokens; then the adaptive coefficient moves for the next update.
  torch::Tensor entropy_bonus(const torch::Tensor& entropies, const torch::Tensor& tokens) {
    const auto mean = (entropies * tokens).sum() / tokens.sum().clamp_min(1.0);
    const bool adaptive = cfg.use_adaptive_entropy;
    const double apply = !adaptive || last_entropy <= cfg.entropy_target ? entropy_coef : 0.0;
    if (adaptive) {
      const double now = mean.item<double>();
      entropy_coef = now <= cfg.entropy_target ? std::min(entropy_coef + cfg.entropy_coef_delta, cfg.entropy_coef_max)
                                               : std::max(entropy_coef - cfg.entropy_coef_delta, cfg.entropy_coef_min);
      last_entropy = now;
    }
    return apply * mean;
  }

  double lr_at(int64_t s) const {
    if (cfg.warmup_steps > 0 && s < cfg.warmup_steps) return cfg.learning_rate * (s + 1) / cfg.warmup_steps;
    if (cfg.lr_scheduler_type == "cosine") {
      const double span = std::max<int64_t>(1, cfg.max_steps - cfg.warmup_steps);
      return cfg.learning_rate * 0.5 * (1.0 + std::cos(M_PI * double(s - cfg.warmup_steps) / span));
    }
    return cfg.learning_rate;
  }

  // The updates a finished save's folder holds ("step-12": 12), or -1 for anything else
  // (a "step-12.tmp" that a kill or a full disk cut short). Saves written before steps were
  // counted from 1 (schema v11) have no "global_step" and were named by the step's index.
  static long saved_step(const std::filesystem::path& folder) {
    const std::string n = folder.filename().string();
    if (n.size() <= 5 || n.rfind("step-", 0) != 0 || n.find_first_not_of("0123456789", 5) != std::string::npos) return -1;
    const long named = std::atol(n.c_str() + 5);
    std::ifstream in(folder / "trainer_state.json");
    const auto state = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!state.is_object()) return -1;  // not a finished save
    return state.contains("global_step") ? named : named + 1;
  }

  std::filesystem::path latest_checkpoint() const {
    std::filesystem::path best;
    long best_step = -1;
    if (!std::filesystem::exists(run_dir())) return best;
    for (const auto& e : std::filesystem::directory_iterator(run_dir()))
      if (const long s = saved_step(e.path()); s > best_step) best_step = s, best = e.path();
    return best;
  }

  // Saves cut short by a kill leave their temporary folder: gone before the run goes on.
  void remove_unfinished_saves() const {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(run_dir(), ec)) {
      const std::string n = e.path().filename().string();
      if (n.rfind("step-", 0) == 0 && n.size() > 4 && n.compare(n.size() - 4, 4, ".tmp") == 0) {
        spdlog::info("run '{}': removing {}, a checkpoint save that did not finish", cfg.name, e.path().string());
        std::filesystem::remove_all(e.path(), ec);
      }
    }
  }
};

GrpoTrainer::GrpoTrainer(RunConfig config, RunSink& sink, std::filesystem::path checkpoint_root)
    : impl_(std::make_unique<Impl>(std::move(config), sink, std::move(checkpoint_root))) {}
GrpoTrainer::~GrpoTrainer() = default;

const RunConfig& GrpoTrainer::config() const { return impl_->cfg; }
bool GrpoTrainer::finished() const { return impl_->step >= impl_->cfg.max_steps; }
int64_t GrpoTrainer::next_step() const { return impl_->step + 1; }

void GrpoTrainer::prepare(bool resume) {
  auto& m = *impl_;
  if (m.cfg.threads > 0) torch::set_num_threads(m.cfg.threads);
  torch::manual_seed(m.cfg.seed);
  m.rng.seed(m.cfg.seed);
  if (m.cfg.device == "cuda" && !torch::cuda::is_available())
    throw std::runtime_error("device = \"cuda\" but this build of libtorch sees no CUDA device; use \"cpu\" or \"auto\"");
  m.device = (m.cfg.device == "cuda" || (m.cfg.device == "auto" && torch::cuda::is_available())) ? torch::Device(torch::kCUDA)
                                                                                                   : torch::Device(torch::kCPU);
  const auto model_dir = resolve_model_path(m.cfg.model);
  auto loaded = load_model(model_dir, m.device);
  m.policy = loaded.model;
  m.tok = std::move(loaded.tokenizer);
  if (const int positions = m.policy->config().max_position_embeddings; m.cfg.max_completion_length >= positions)
    throw std::runtime_error(m.cfg.name + ": max_completion_length = " + std::to_string(m.cfg.max_completion_length) +
                             " does not fit the model, which reads " + std::to_string(positions) +
                             " positions (max_position_embeddings) for prompt and completion together; give less");
  m.policy->set_gradient_checkpointing(m.cfg.gradient_checkpointing);
  // The trained weights and AdamW's moments stay float32 whatever the checkpoint's dtype;
  // on CUDA, bf16 autocast runs the matrix products in bfloat16.
  m.policy->to(torch::kFloat32);
  m.policy->fuse_projections();  // fewer products per decoded token; training is unchanged
  if (m.cfg.beta > 0.0) {
    m.reference = load_model(model_dir, m.device).model;
    m.reference->eval();
    for (auto& p : m.reference->parameters()) p.set_requires_grad(false);
  }
  m.task = make_task(m.cfg.task);
  m.entropy_coef = m.cfg.entropy_coef;
  m.last_entropy = INFINITY;
  m.rewards.clear();
  for (size_t i = 0; i < m.cfg.reward_funcs.size(); ++i)
    m.rewards.push_back(make_reward_function(m.cfg.reward_funcs[i], m.cfg.reward_weights[i],
                                             {m.cfg.max_completion_length, m.cfg.soft_punish_cache,
                                              m.cfg.random_reward_probability}));
  m.prompt_opens_think = m.cfg.prompt_format().opens_think();
  if (const auto why = m.cfg.prompt_format().check_tokenizer(*m.tok); !why.empty())
    throw std::runtime_error(m.cfg.name + ": " + why);
  m.optimizer = std::make_unique<torch::optim::AdamW>(
      m.policy->parameters(), torch::optim::AdamWOptions(m.cfg.learning_rate).weight_decay(m.cfg.weight_decay));

  RunInfo info;
  info.name = m.cfg.name;
  info.config_toml = m.cfg.to_toml();
  info.code_version = std::string(version()) + "+" + git_revision();
  info.seed = m.cfg.seed;
  info.model = m.cfg.model;
  info.task = m.cfg.task.name;
  info.total_steps = m.cfg.max_steps;
  info.sweep = m.cfg.sweep;
  info.sweep_values = m.cfg.sweep_values;
  m.sink.begin_run(info, resume);
  // Steps are numbered from 1 (the N-th update); m.step counts the updates done.
  m.step = std::max<int64_t>(m.sink.last_step(), 0);
  if (resume && m.step >= m.cfg.max_steps)
    throw std::runtime_error("run '" + m.cfg.name + "' has steps 1-" + std::to_string(m.step) +
                             " stored and max_steps (or --steps) is " + std::to_string(m.cfg.max_steps) +
                             ": nothing to resume; give more than " + std::to_string(m.step) + " steps to continue it");

  m.remove_unfinished_saves();
  if (resume) {
    const auto ckpt = m.latest_checkpoint();
    if (ckpt.empty()) {
      spdlog::warn("run '{}': no checkpoint under {}; resuming from the base model at step {}", m.cfg.name,
                   m.run_dir().string(), m.step);
    } else {
      load_weights(m.policy, ckpt);
      torch::load(*m.optimizer, (ckpt / "optimizer.pt").string());
      const auto state = read_json_file(ckpt / "trainer_state.json", "trainer state");
      const int64_t ckpt_step = Impl::saved_step(ckpt);
      m.tokens_seen = state.value("num_tokens", int64_t(0));
      m.entropy_coef = state.value("entropy_coef", m.cfg.entropy_coef);
      if (state.contains("last_entropy") && state["last_entropy"].is_number()) m.last_entropy = state["last_entropy"].get<double>();
      if (ckpt_step < m.step)
        spdlog::warn("run '{}': the latest checkpoint is of step {} and the store has steps up to {}: training goes "
                     "on at step {} from the weights after step {}, so the updates of steps {}-{} are lost (their "
                     "samples stay stored; save_steps = 1 keeps every update)",
                     m.cfg.name, ckpt_step, m.step, m.step + 1, ckpt_step, ckpt_step + 1, m.step);
      spdlog::info("run '{}': resumed from {} at step {}", m.cfg.name, ckpt.string(), m.step + 1);
    }
  }
  m.sink.set_status(RunStatus::Running);
  spdlog::info("run '{}': {} on {}, {} parameters, steps {}..{}", m.cfg.name, model_dir.string(),
               m.device.is_cuda() ? "CUDA" : "CPU", m.policy->config().parameter_count(), m.step + 1, m.cfg.max_steps);
}

// One generation round: `prompts` problems, each sampled num_generations times, scored.
struct GrpoTrainer::Round {
  std::vector<std::vector<int>> prompts, completions;  // per completion: prompt ids, new ids
  std::vector<std::vector<float>> sampler_logps;  // per completion and new token (with the token lens)
  std::vector<SampleRecord> samples;
  std::vector<double> rewards;
  int64_t prompt_tokens = 0, completion_tokens = 0;
  double seconds = 0;  // generation only
  int events = 0, judged = 0;  // reflection events with a subject; those the model judged
  double judge_seconds = 0;
  CausalFixCount causal;  // fixes given a causal verdict (causal_fix_events)
};

GrpoTrainer::Round GrpoTrainer::sample_round(int prompts, int first_group) {
  auto& m = *impl_;
  const int G = m.cfg.num_generations;
  Round r;
  std::vector<Problem> problems;
  std::vector<std::string> prompt_texts;
  for (int p = 0; p < prompts; ++p) {
    problems.push_back(m.task->sample(m.rng));
    prompt_texts.push_back(m.cfg.prompt_format().render(problems.back()));
    auto ids = m.tok->encode(prompt_texts.back());
    if (const auto unk = m.tok->token_id("<unk>"); unk && !m.warned_unknown &&
                                                   std::find(ids.begin(), ids.end(), *unk) != ids.end()) {
      spdlog::warn("run '{}': the prompt '{}' has characters the model's tokenizer does not know; they reach the "
                   "model as <unk> (the built-in model reads ASCII only: use a Hugging Face model for other text)",
                   m.cfg.name, prompt_texts.back().substr(0, 80));
      m.warned_unknown = true;
    }
    for (int g = 0; g < G; ++g) r.prompts.push_back(ids);
  }

  // Rollouts with the KV cache.
  const auto t_gen = Clock::now();
  SamplingOptions so;
  so.temperature = m.cfg.temperature;
  so.top_p = m.cfg.top_p;
  so.max_new_tokens = m.cfg.max_completion_length;
  so.pad_id = m.tok->pad_id();
  so.cuda_graphs = m.cfg.cuda_graphs;
  so.token_stats = m.cfg.token_lens;
  so.stop_ids = m.cfg.prompt_format().stop_ids(*m.tok);
  so.stop_when = stop_at_text(*m.tok, m.cfg.prompt_format().stop_text(*m.tok));
  m.policy->eval();
  Transformer sampler_model = m.policy;
  if (m.device.is_cuda() && m.cfg.bf16) {
    copy_weights(m.rollout, m.policy, torch::kBFloat16);
    sampler_model = m.rollout;
  }
  Generation gen;
  {
    const CudaAutocast plain(false);  // the copy is bf16 already: no casts per product
    gen = generate(sampler_model, r.prompts, so);
  }
  r.seconds = seconds_since(t_gen);

  // Rewards and the reflection analysis.
  std::vector<Reflection> refls;
  for (size_t i = 0; i < r.prompts.size(); ++i) {
    const auto& prob = problems[i / G];
    SampleRecord s;
    s.step = m.step + 1;
    s.group_index = first_group + int(i / G);
    s.index_in_group = int(i % G);
    s.prompt = prompt_texts[i / G];
    s.reference = prob.reference;
    s.completion = m.tok->decode(gen.completions[i]);
    s.token_count = static_cast<int>(gen.completions[i].size());
    s.truncated = gen.truncated[i];
    if (m.cfg.token_lens) s.token_trace = encode_token_trace(m.token_trace(gen, int(i)));
    const auto parsed = parse_response((m.prompt_opens_think ? "<think>" : "") + s.completion);
    for (const auto& f : m.rewards) {
      const double v = f.score({*m.task, prob, parsed, s.token_count,
                                sample_key(m.cfg.seed, s.step, s.group_index, s.index_in_group)});
      s.rewards.emplace_back(f.name, v);
      s.reward += f.weight * v;
    }
    s.correct = parsed.has_answer && m.task->is_correct(prob, parsed.answer);
    s.format_ok = parsed.format_ok;
    const bool expressions = m.task->answers_are_expressions();
    const AnswerJudge judge(
        [&](std::string_view value, std::string_view expression) -> std::optional<bool> {
          return m.task->is_correct(prob, expressions && !expression.empty() ? expression : value);
        },
        expressions);
    refls.push_back(m.detector.analyse(s.completion, parsed.answer, judge));
    r.rewards.push_back(s.reward);
    r.prompt_tokens += static_cast<int64_t>(r.prompts[i].size());
    r.completion_tokens += s.token_count;
    r.samples.push_back(std::move(s));
  }
  // The model's verdict on up to model_judge_events of the round's events (early
  // answering), from the weights that sampled them.
  if (m.cfg.model_judge_events > 0) {
    const CudaAutocast plain(false);
    const auto start = Clock::now();
    std::vector<JudgedCompletion> judged;
    for (size_t i = 0; i < refls.size(); ++i)
      judged.push_back({&r.prompts[i], &r.samples[i].completion, &refls[i],
                        [&, i](std::string_view a) { return m.task->is_correct(problems[i / G], a); }});
    const auto count = judge_reflections(sampler_model, *m.tok, judged, m.cfg.model_judge_events,
                                         step_stream_seed(m.cfg.seed, m.step) ^ 0x6A75646765ull, m.cfg.model_judge_tokens);
    r.events = count.events, r.judged = count.judged;
    r.judge_seconds = seconds_since(start);
  }
  // Which fixes mattered: resampled away against kept, by the same weights.
  if (m.cfg.causal_fix_events > 0) {
    const CudaAutocast plain(false);
    std::vector<CausalCandidate> candidates;
    for (size_t i = 0; i < refls.size(); ++i)
      candidates.push_back({&r.prompts[i], &r.samples[i].completion, &refls[i],
                            [&, i](const std::string& a) { return m.task->is_correct(problems[i / G], a); }});
    r.causal = judge_fixes_causally(sampler_model, *m.tok, so, m.cfg.max_completion_length,
                                    m.cfg.prompt_format().opens_think(), candidates, m.cfg.causal_fix_events,
                                    m.cfg.causal_fix_samples, step_stream_seed(m.cfg.seed, m.step) ^ 0x63617573ull);
  }
  for (size_t i = 0; i < refls.size(); ++i) record_reflection(refls[i], r.samples[i]);
  r.completions = std::move(gen.completions);
  r.sampler_logps = std::move(gen.logprobs);
  return r;
}

StepSummary GrpoTrainer::train_step() {
  auto& m = *impl_;
  const auto t_step = Clock::now();
  const CudaAutocast autocast(m.device.is_cuda() && m.cfg.bf16);
  const int G = m.cfg.num_generations, P = m.cfg.prompts_per_step();

  // 1-3. Prompts, rollouts, rewards. With filter_groups (DAPO's dynamic sampling), rounds
  // go on until P groups whose rewards differ are gathered or the round budget is spent;
  // the groups that teach nothing are stored but not trained on.
  // Every step draws its prompts and samples from streams seeded by (seed, step), not from
  // where the last checkpoint left them: a resume after a kill goes on at the first step
  // the store lacks and never repeats an earlier step's prompts or completions.
  const uint64_t step_seed = step_stream_seed(m.cfg.seed, m.step);
  m.rng.seed(step_seed);
  torch::manual_seed(step_seed);

  StepRecord record;
  record.step = m.step + 1;
  std::vector<std::vector<int>> prompts, completions;  // the training batch
  std::vector<double> rewards;
  std::vector<std::vector<double>> rewards_per_function;  // for normalize_then_sum
  std::vector<std::vector<float>> sampler_logps;  // what the sampler drew each token with (token lens on)
  std::vector<int> tokens;
  std::vector<bool> truncated;
  double gen_seconds = 0;
  int64_t completion_tokens = 0, prompt_tokens = 0;
  int rounds = 0, kept_groups = 0;
  int judge_events = 0, judged_events = 0;
  double judge_seconds = 0;
  CausalFixCount causal;
  while (kept_groups < P && rounds < (m.cfg.filter_groups ? m.cfg.max_num_gen_batches : 1)) {
    Round round = sample_round(P, rounds * P);
    ++rounds;
    gen_seconds += round.seconds;
    judge_events += round.events, judged_events += round.judged, judge_seconds += round.judge_seconds;
    causal.fixes += round.causal.fixes, causal.judged += round.causal.judged, causal.causal += round.causal.causal;
    causal.seconds += round.causal.seconds;
    completion_tokens += round.completion_tokens;
    prompt_tokens += round.prompt_tokens;
    const auto uniform = uniform_groups(round.rewards, G);
    for (int g = 0; g < P; ++g) {
      if ((m.cfg.filter_groups && uniform[g]) || kept_groups == P) continue;
      ++kept_groups;
      for (int i = g * G; i < (g + 1) * G; ++i) {
        prompts.push_back(std::move(round.prompts[i]));
        completions.push_back(std::move(round.completions[i]));
        if (i < round.sampler_logps.size()) sampler_logps.push_back(std::move(round.sampler_logps[i]));
        rewards.push_back(round.rewards[i]);
        std::vector<double> values;  // in the order of m.rewards (sample_round's)
        for (const auto& [name, value] : round.samples[i].rewards) values.push_back(value);
        rewards_per_function.push_back(std::move(values));
        tokens.push_back(round.samples[i].token_count);
        truncated.push_back(round.samples[i].truncated);
        round.samples[i].advantage = std::nan("");  // set below: these are trained on
      }
    }
    for (auto& s : round.samples) record.samples.push_back(std::move(s));
  }
  // Advantages over the training batch; a sample left out of it moves nothing (its group's
  // rewards are all equal) and keeps advantage 0.
  const auto advantages =
      m.cfg.multi_objective_aggregation == "normalize_then_sum"
          ? normalize_then_sum_advantages(rewards_per_function, m.cfg.reward_weights, G)
          : compute_advantages(rewards, G, {m.cfg.adv_estimator, m.cfg.scale_rewards}, tokens);
  size_t next = 0;
  for (auto& s : record.samples) s.advantage = std::isnan(s.advantage) ? advantages[next++] : 0.0;

  // 4. Policy update(s) on the batch. On the CPU a float32 policy runs the packed pass
  // on libtorch's threads; another model's products run on OpenBLAS's threads, the rest serial.
  const double lr = m.lr_at(m.step);
  LossResult last;
  std::optional<double> grad_norm, entropy, loss_value;
  CovarianceStats covariance;
  std::optional<SamplingMismatch> mismatch;
  if (!prompts.empty()) {
    std::optional<SerialTorchOps> serial;
    if (m.device.is_cpu() && !packed_pass_supports(m.policy)) serial.emplace();
    ScoredBatch batch = build_scored_batch(prompts, completions, m.tok->pad_id());
    auto mask = batch.completion_mask.to(m.device);
    if (m.cfg.mask_truncated_completions) mask = without_rows(mask, truncated);
    auto adv = torch::tensor(advantages, torch::kFloat32).to(m.device);
    LossOptions lo;
    lo.loss_type = m.cfg.loss_type;
    lo.importance_sampling_level = m.cfg.importance_sampling_level;
    lo.epsilon = m.cfg.epsilon;
    lo.epsilon_high = m.cfg.epsilon_high;
    lo.beta = m.cfg.beta;
    lo.delta = m.cfg.delta;
    lo.sapo_temperature_pos = m.cfg.sapo_temperature_pos;
    lo.sapo_temperature_neg = m.cfg.sapo_temperature_neg;
    lo.policy_loss = m.cfg.loss_mode;
    lo.clip_cov_ratio = m.cfg.clip_cov_ratio;
    lo.clip_cov_lb = m.cfg.clip_cov_lb;
    lo.clip_cov_ub = m.cfg.clip_cov_ub;
    lo.kl_cov_ratio = m.cfg.kl_cov_ratio;
    lo.ppo_kl_coef = m.cfg.ppo_kl_coef;
    lo.max_completion_length = m.cfg.max_completion_length;
    torch::Tensor old_logps, ref_logps;
    if (m.cfg.num_iterations > 1) {
      torch::NoGradGuard ng;
      old_logps = completion_logprobs(m.policy, batch);
    }
    if (m.cfg.beta > 0.0) {
      torch::NoGradGuard ng;
      ref_logps = completion_logprobs(m.reference, batch);
    }
    for (auto& group : m.optimizer->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    m.policy->train();
    const bool filter_tokens = m.cfg.top_entropy_quantile < 1.0;
    const bool bonus = m.cfg.entropy_coef != 0.0 || m.cfg.use_adaptive_entropy;
    torch::Tensor is_weights;  // the sampling correction's, set at the first update
    for (int it = 0; it < m.cfg.num_iterations; ++it) {
      torch::Tensor ent;
      auto logps = completion_logprobs(m.policy, batch, it == 0 || filter_tokens || bonus ? &ent : nullptr, bonus);
      // First iteration: the policy is the one that sampled, so the ratio is exactly 1.
      auto old = m.cfg.num_iterations > 1 ? old_logps : logps.detach();
      const auto keep = filter_tokens ? entropy_token_filter(ent.detach(), mask, m.cfg.top_entropy_quantile) : torch::Tensor();
      // TRL's correction for a sampler that is not the trainer: against the policy before
      // this batch's updates (old), as TRL weighs by its old log-probabilities.
      if (it == 0 && m.cfg.vllm_importance_sampling_correction && sampler_logps.size() == completions.size())
        is_weights = sampling_correction(old, sampler_logps_tensor(sampler_logps, old), mask,
                                         m.cfg.vllm_importance_sampling_mode, m.cfg.vllm_importance_sampling_clip_min,
                                         m.cfg.vllm_importance_sampling_clip_max);
      last = grpo_loss(logps, old, ref_logps, adv, mask, lo, keep, is_weights);
      auto loss = last.loss;
      if (bonus) loss = loss - m.entropy_bonus(ent, keep.defined() ? mask * keep.to(mask.scalar_type()) : mask);
      m.optimizer->zero_grad();
      loss.backward();
      grad_norm = torch::nn::utils::clip_grad_norm_(m.policy->parameters(),
                                                    m.cfg.max_grad_norm > 0 ? m.cfg.max_grad_norm : 1e30);
      m.optimizer->step();
      if (it == 0) {
        entropy = ((ent.detach() * mask).sum() / mask.sum().clamp_min(1)).item<double>();
        covariance = covariance_stats(logps, adv, mask, ent.detach());
        // The sampler's log-probabilities against the trainer's for the same tokens (TRL's
        // sampling/* metrics): on the CPU the same weights by two code paths; on CUDA the
        // sampler's bf16 copy. Comparable at temperature 1 only (the sampler's are tempered).
        if (sampler_logps.size() == completions.size() && m.cfg.temperature == 1.0)
          mismatch = sampling_mismatch(logps.detach(), sampler_logps, batch.completion_mask);
      }
      loss_value = last.loss.item<double>();
    }
  }
  m.tokens_seen += prompt_tokens + completion_tokens;

  // 5. Metrics, named as TRL logs them where it does: those of the samples (shared with
  // imported runs), then those of the update.
  const double step_seconds = seconds_since(t_step);
  std::vector<std::string> reward_names;
  for (const auto& f : m.rewards) reward_names.push_back(f.name);
  auto& mt = record.metrics;
  mt = sample_metrics(record.samples, reward_names);
  const auto metric = [&mt](const char* name) {
    return std::find_if(mt.begin(), mt.end(), [&](const auto& e) { return e.first == name; })->second;
  };
  // Only what was measured: no reference model (beta = 0) has no KL, and one update per
  // batch (num_iterations = 1) has ratios of exactly 1 that nothing clips. A 0 there would
  // read as "the policy did not move". No update at all (every group uniform under
  // filter_groups) has no loss, entropy or gradient.
  if (loss_value) {
    if (m.cfg.beta > 0) mt.emplace_back("kl", last.kl);
    mt.emplace_back("entropy", *entropy);
    // The covariance lens (Cui et al. 2025) of the batch as it was sampled.
    if (m.cfg.entropy_coef != 0.0 || m.cfg.use_adaptive_entropy) mt.emplace_back("entropy_coef", m.entropy_coef);
    if (mismatch) {
      mt.emplace_back("sampling/sampling_logp_difference/mean", mismatch->logp_difference_mean);
      mt.emplace_back("sampling/sampling_logp_difference/max", mismatch->logp_difference_max);
      mt.emplace_back("sampling/importance_sampling_ratio/min", mismatch->ratio_min);
      mt.emplace_back("sampling/importance_sampling_ratio/mean", mismatch->ratio_mean);
      mt.emplace_back("sampling/importance_sampling_ratio/max", mismatch->ratio_max);
    }
    mt.emplace_back("covariance/mean", covariance.mean);
    mt.emplace_back("covariance/top_share", covariance.top_share);
    mt.emplace_back("covariance/top_entropy", covariance.top_entropy);
    mt.emplace_back("covariance/token_mean_advantage", covariance.token_mean_advantage);  // the lens's means
    mt.emplace_back("covariance/token_mean_logp", covariance.token_mean_logp);
    if (m.cfg.loss_mode != "vanilla") mt.emplace_back("policy_loss/cov_controlled", last.cov_controlled);
    if (m.cfg.num_iterations > 1 && m.cfg.loss_type == "cispo") {
      mt.emplace_back("cispo_clip_ratio", last.clip_ratio_high);
    } else if (m.cfg.num_iterations > 1 && m.cfg.loss_mode != "kl_cov" && m.cfg.loss_type != "sapo") {
      mt.emplace_back("clip_ratio/region_mean", last.clip_ratio_region);
      mt.emplace_back("clip_ratio/low_mean", last.clip_ratio_low);
      mt.emplace_back("clip_ratio/high_mean", last.clip_ratio_high);
    }
    mt.emplace_back("grad_norm", *grad_norm);
    mt.emplace_back("loss", *loss_value);
  }
  mt.emplace_back("learning_rate", lr);
  if (m.cfg.filter_groups) {
    mt.emplace_back("num_gen_batches", rounds);                       // veRL's name
    mt.emplace_back("filter_groups/kept_groups", kept_groups);
  }
  if (m.cfg.model_judge_events > 0) {
    mt.emplace_back("model_judge/judged_share", judge_events ? double(judged_events) / judge_events : 1.0);
    mt.emplace_back("model_judge/seconds", judge_seconds);
  }
  if (m.cfg.causal_fix_events > 0) {
    if (causal.judged > 0) mt.emplace_back("reflection/causal_fix_share", double(causal.causal) / causal.judged);
    mt.emplace_back("causal_fix/judged", causal.judged);
    mt.emplace_back("causal_fix/seconds", causal.seconds);
  }
  mt.emplace_back("num_tokens", double(m.tokens_seen));
  mt.emplace_back("rollout_tokens_per_second", completion_tokens / std::max(1e-9, gen_seconds));
  mt.emplace_back("tokens_per_second", completion_tokens / std::max(1e-9, step_seconds));
  mt.emplace_back("step_time", step_seconds);
  record.wall_time = unix_now();
  m.sink.write_step(record);

  StepSummary sum;
  sum.step = m.step + 1;
  sum.total_steps = m.cfg.max_steps;
  sum.reward = metric("reward");
  sum.accuracy = metric("accuracy");
  sum.mean_length = metric("completions/mean_length");
  sum.aha_rate = metric("aha_rate");
  sum.tokens_per_second = completion_tokens / std::max(1e-9, step_seconds);
  sum.step_seconds = step_seconds;
  m.avg_step_seconds = m.avg_step_seconds == 0 ? step_seconds : 0.9 * m.avg_step_seconds + 0.1 * step_seconds;
  sum.eta_seconds = m.avg_step_seconds * (m.cfg.max_steps - m.step - 1);
  if (m.device.is_cuda()) sum.gpu_memory_bytes = gpu_memory_used_bytes();
  sum.metrics = record.metrics;

  ++m.step;
  if (m.step % m.cfg.save_steps == 0 || m.step >= m.cfg.max_steps) save_checkpoint();
  return sum;
}

void GrpoTrainer::save_checkpoint() {
  auto& m = *impl_;
  const int64_t done = m.step;  // updates: the number of the step just trained
  if (done <= 0) return;
  const auto final_dir = m.run_dir() / ("step-" + std::to_string(done));
  const auto tmp = m.run_dir() / ("step-" + std::to_string(done) + ".tmp");
  std::filesystem::remove_all(tmp);
  try {
    std::filesystem::create_directories(tmp);
    save_model(tmp, m.policy, *m.tok, {{"run", m.cfg.name}, {"step", std::to_string(done)}});
    torch::save(*m.optimizer, (tmp / "optimizer.pt").string());
    std::ofstream state(tmp / "trainer_state.json");
    nlohmann::json saved{{"global_step", done}, {"num_tokens", m.tokens_seen}, {"entropy_coef", m.entropy_coef}};
    if (std::isfinite(m.last_entropy)) saved["last_entropy"] = m.last_entropy;
    state << saved.dump(1);
    state.close();
    if (!state) throw std::runtime_error("cannot write " + (tmp / "trainer_state.json").string() + " (is the disk full?)");
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);  // a full disk keeps no half-written save
    throw;
  }
  // Renamed into place only when complete: a kill during the save leaves the previous one.
  std::filesystem::remove_all(final_dir);
  std::filesystem::rename(tmp, final_dir);
  m.sink.record_checkpoint(done, final_dir.string());
  // Keep the newest save_total_limit, and every save_keep_every-th for probes.
  std::vector<std::pair<long, std::filesystem::path>> all;
  for (const auto& e : std::filesystem::directory_iterator(m.run_dir()))
    if (const long s = Impl::saved_step(e.path()); s >= 0) all.emplace_back(s, e.path());
  std::sort(all.begin(), all.end());
  const size_t limit = m.cfg.save_total_limit;
  for (size_t i = 0; limit > 0 && i + limit < all.size(); ++i) {
    const bool milestone = m.cfg.save_keep_every > 0 && all[i].first % m.cfg.save_keep_every == 0;
    if (!milestone) std::filesystem::remove_all(all[i].second);
  }
}

}  // namespace aha
