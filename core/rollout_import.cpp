#include "core/rollout_import.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "core/dataset_file.h"
#include "core/rewards.h"

namespace aha {

namespace {

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

double std_of(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / (v.size() - 1));
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * (v.size() - 1) + 0.5)];
}

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
  std::vector<double> totals, lengths;
  std::map<std::string, std::vector<double>> per_func;
  int correct = 0, format_ok = 0, reflective = 0, real_aha = 0;
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
    for (const auto& [name, v] : s.rewards) per_func[name].push_back(v);
    const auto parsed = parse_response((ends_with_think(s.prompt) ? "<think>" : "") + s.completion);
    // The engine's own format reward, when it logged one, knows its prompt's template.
    s.format_ok = parsed.format_ok;
    for (const auto& [name, v] : s.rewards)
      if (name == "format") s.format_ok = v > 0.5;
    const std::string reference = s.reference;
    auto is_right = [&](std::string_view a) { return !reference.empty() && answers_match(a, reference, 1e-6); };
    s.correct = in.correct ? *in.correct : (parsed.has_answer && is_right(parsed.answer));
    const auto refl = detector_.analyse(s.completion, parsed.answer);
    s.aha_score = refl.score;
    s.aha_spans = spans_to_json(refl.spans);
    s.real_aha = is_real_aha(refl, s.correct, is_right);
    s.language_mixing = refl.language_mixing;
    s.extra = std::move(in.extra);
    totals.push_back(s.reward);
    lengths.push_back(s.token_count);
    correct += s.correct;
    format_ok += s.format_ok;
    reflective += refl.reflective();
    real_aha += s.real_aha;
    rec.samples.push_back(std::move(s));
  }
  // GRPO advantages within each group (what the engine would have used).
  std::vector<std::vector<double>> group_rewards(group_size.size());
  for (const auto& s : rec.samples) group_rewards[s.group_index].push_back(s.reward);
  int zero_std = 0;
  for (auto& s : rec.samples) {
    const auto& g = group_rewards[s.group_index];
    const double sd = std_of(g);
    s.advantage = (s.reward - mean_of(g)) / (scale_rewards_ ? sd + 1e-4 : 1.0);
  }
  for (const auto& g : group_rewards) zero_std += std_of(g) == 0;

  const double n = std::max<size_t>(1, rec.samples.size());
  auto& mt = rec.metrics;
  mt.emplace_back("reward", mean_of(totals));
  mt.emplace_back("reward_std", std_of(totals));
  for (const auto& [name, v] : per_func) mt.emplace_back("rewards/" + name + "/mean", mean_of(v));
  mt.emplace_back("accuracy", correct / n);
  mt.emplace_back("format_rate", format_ok / n);
  mt.emplace_back("completions/mean_length", mean_of(lengths));
  mt.emplace_back("completions/min_length", lengths.empty() ? 0 : *std::min_element(lengths.begin(), lengths.end()));
  mt.emplace_back("completions/max_length", lengths.empty() ? 0 : *std::max_element(lengths.begin(), lengths.end()));
  mt.emplace_back("completions/p10_length", quantile(lengths, 0.1));
  mt.emplace_back("completions/p90_length", quantile(lengths, 0.9));
  mt.emplace_back("frac_reward_zero_std", group_rewards.empty() ? 0 : double(zero_std) / group_rewards.size());
  mt.emplace_back("aha_rate", reflective / n);
  mt.emplace_back("real_aha_rate", real_aha / n);
  return rec;
}

}  // namespace aha
