#include "core/interop/rollout_import.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "core/tasks/dataset_file.h"
#include "core/tasks/rewards.h"
#include "core/run/step_metrics.h"

namespace aha {

namespace {

bool ends_with_think(const std::string& prompt) {
  const auto end = prompt.find_last_not_of(" \t\r\n");
  return end != std::string::npos && end >= 6 && prompt.compare(end - 6, 7, "<think>") == 0;
}

}  // namespace

RolloutStepBuilder::RolloutStepBuilder(std::vector<LexiconEntry> lexicon, const Tokenizer* tok, bool scale_rewards)
    : detector_(std::move(lexicon)), tok_(tok), scale_rewards_(scale_rewards) {}

StepRecord RolloutStepBuilder::build(int64_t step, std::vector<RolloutSample> samples, double wall_time) const {
  StepRecord rec;
  rec.step = step;
  rec.wall_time = wall_time;
  // Groups: samples with the same prompt, in the order prompts first appear.
  std::map<std::string, int> group_of;
  std::vector<int> group_size;
  std::vector<std::string> reward_names;  // in the order they first appear
  for (auto& in : samples) {
    SampleRecord s;
    s.step = step;
    auto [it, fresh] = group_of.emplace(in.group.empty() ? in.prompt : "\x01" + in.group,
                                        static_cast<int>(group_size.size()));
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
    const std::string reference = s.reference;
    auto is_right = [&](std::string_view a) { return !reference.empty() && answers_match(a, reference, 1e-6); };
    s.correct = in.correct ? *in.correct : (parsed.has_answer && is_right(parsed.answer));
    const auto refl = detector_.analyse(s.completion, parsed.answer, [&](std::string_view a) -> std::optional<bool> {
      if (reference.empty()) return std::nullopt;
      return is_right(a);
    });
    record_reflection(refl, s);
    s.extra = std::move(in.extra);
    rec.samples.push_back(std::move(s));
  }
  // GRPO advantages within each group, as group_advantages (core/grpo.cpp) computes them.
  std::vector<double> sum(group_size.size()), sum_sq(group_size.size());
  for (const auto& s : rec.samples) sum[s.group_index] += s.reward, sum_sq[s.group_index] += s.reward * s.reward;
  for (auto& s : rec.samples) {
    const double n = group_size[s.group_index], mean = sum[s.group_index] / n;
    const double sd = n > 1 ? std::sqrt(std::max(0.0, (sum_sq[s.group_index] - n * mean * mean) / (n - 1))) : 0.0;
    s.advantage = (s.reward - mean) / (scale_rewards_ && n > 1 ? sd + 1e-4 : 1.0);
  }
  rec.metrics = sample_metrics(rec.samples, reward_names);
  return rec;
}

}  // namespace aha
