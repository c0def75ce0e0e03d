#include "core/interop/rollout_import.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "core/run/reference_judge.h"
#include "core/tasks/rewards.h"
#include "core/run/step_metrics.h"

namespace aha {

namespace {

bool ends_with_think(const std::string& prompt) {
  const auto end = prompt.find_last_not_of(" \t\r\n");
  return end != std::string::npos && end >= 6 && prompt.compare(end - 6, 7, "<think>") == 0;
}

// The group key of every sample: its group id, else its prompt, and the k-th run of G
// samples of a prompt that comes k*G times is the k-th group of that prompt.
std::vector<std::string> group_keys(const std::vector<RolloutSample>& samples, int group_size) {
  std::vector<std::string> keys;
  std::map<std::string, int> count;
  for (const auto& s : samples) {
    keys.push_back(s.group.empty() ? s.prompt : "\x01" + s.group);
    ++count[keys.back()];
  }
  if (group_size <= 0) {  // the most common count per prompt (the smallest on a tie)
    std::map<int, int> how_often;
    for (const auto& [key, n] : count) ++how_often[n];
    int best = 0;
    for (const auto& [n, times] : how_often)
      if (times > best) best = times, group_size = n;
  }
  std::map<std::string, int> seen;
  for (size_t i = 0; i < samples.size(); ++i) {
    const int n = count[keys[i]];
    if (!samples[i].group.empty() || n <= group_size || n % group_size != 0) continue;
    const int run = seen[keys[i]]++ / group_size;
    keys[i] += "\x02" + std::to_string(run);
  }
  return keys;
}

}  // namespace

RolloutStepBuilder::RolloutStepBuilder(std::vector<LexiconEntry> lexicon, const Tokenizer* tok, bool scale_rewards,
                                       int group_size)
    : detector_(std::move(lexicon)), tok_(tok), scale_rewards_(scale_rewards), group_size_(group_size) {}

StepRecord RolloutStepBuilder::build(int64_t step, std::vector<RolloutSample> samples, double wall_time) const {
  StepRecord rec;
  rec.step = step;
  rec.wall_time = wall_time;
  // Groups: samples with the same key, in the order the keys first appear.
  const auto keys = group_keys(samples, group_size_);
  std::map<std::string, int> group_of;
  std::vector<int> group_size;
  std::vector<std::string> reward_names;  // in the order they first appear
  for (size_t i = 0; i < samples.size(); ++i) {
    auto& in = samples[i];
    SampleRecord s;
    s.step = step;
    auto [it, fresh] = group_of.emplace(keys[i], static_cast<int>(group_size.size()));
    if (fresh) group_size.push_back(0);
    s.group_index = it->second;
    s.index_in_group = group_size[it->second]++;
    s.prompt = std::move(in.prompt);
    s.reference = std::move(in.reference);
    s.completion = std::move(in.completion);
    s.token_count = tok_ ? static_cast<int>(tok_->encode(s.completion).size())
                         : static_cast<int>((s.completion.size() + 3) / 4);
    s.reward = in.score;
    s.rewards = std::move(in.rewards);
    for (const auto& [name, v] : s.rewards)
      if (std::find(reward_names.begin(), reward_names.end(), name) == reward_names.end()) reward_names.push_back(name);
    const auto parsed = parse_response((ends_with_think(s.prompt) ? "<think>" : "") + s.completion);
    // The engine's own format reward, when it logged one, knows its prompt's template.
    s.format_ok = parsed.format_ok;
    for (const auto& [name, v] : s.rewards)
      if (name == "format") s.format_ok = v > 0.5;
    // Our own rules judge the answer from the ground truth (a veRL v1 dump carries no reward
    // extras); an engine's logged accuracy, where there is one, wins.
    const AnswerJudge judge = reference_judge(s.reference);
    s.correct = in.correct ? *in.correct : (parsed.has_answer && judge(parsed.answer).value_or(false));
    const auto refl = detector_.analyse(s.completion, parsed.answer, judge);
    record_reflection(refl, s);
    s.extra = std::move(in.extra);
    rec.samples.push_back(std::move(s));
  }
  // GRPO advantages within each group, as compute_advantages (core/run/advantages.h) computes
  // them for adv_estimator grpo (groups here may differ in size),
  // unless the engine logged its own.
  std::vector<double> sum(group_size.size()), sum_sq(group_size.size());
  for (const auto& s : rec.samples) sum[s.group_index] += s.reward, sum_sq[s.group_index] += s.reward * s.reward;
  for (size_t i = 0; i < rec.samples.size(); ++i) {
    auto& s = rec.samples[i];
    if (samples[i].advantage) {
      s.advantage = *samples[i].advantage;
      continue;
    }
    const double n = group_size[s.group_index], mean = sum[s.group_index] / n;
    const double sd = n > 1 ? std::sqrt(std::max(0.0, (sum_sq[s.group_index] - n * mean * mean) / (n - 1))) : 0.0;
    s.advantage = (s.reward - mean) / (scale_rewards_ && n > 1 ? sd + 1e-4 : 1.0);
  }
  rec.metrics = sample_metrics(rec.samples, reward_names);
  return rec;
}

}  // namespace aha
