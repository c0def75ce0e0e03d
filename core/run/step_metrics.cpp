#include "core/run/step_metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>

#include "core/analysis/token_lens.h"

namespace aha {

namespace {

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

double sample_std(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double mu = mean_of(v);
  double var = 0;
  for (double x : v) var += (x - mu) * (x - mu);
  return std::sqrt(var / (v.size() - 1));
}

}  // namespace

std::vector<std::pair<std::string, double>> reflection_step_metrics(const std::vector<SampleRecord>& samples) {
  std::vector<std::pair<std::string, double>> mt;
  const double n = std::max<size_t>(1, samples.size());
  double reflective = 0, real_aha = 0;
  for (const auto& s : samples) reflective += s.aha_spans != "[]", real_aha += s.real_aha;
  mt.emplace_back("aha_rate", reflective / n);
  mt.emplace_back("real_aha_rate", real_aha / n);
  EventCounts events;                                 // over the step
  double model_fixed = 0;                             // completions with an event the model calls a fix
  std::array<int, kReflectionOutcomes> with_outcome{};  // completions with some event of each outcome
  std::map<int, std::pair<std::vector<bool>, std::vector<bool>>> groups;  // group -> (reflects, correct)
  std::vector<double> correct_len, incorrect_len, truncated_len;
  for (const auto& s : samples) {
    const auto counts = s.aha_events == "[]" ? EventCounts{} : count_events_json(s.aha_events);
    for (int i = 0; i < kReflectionCategories; ++i) events.behaviour[i] += counts.behaviour[i];
    for (int i = 0; i < kReflectionOutcomes; ++i) {
      events.outcome[i] += counts.outcome[i];
      events.model[i] += counts.model[i];
      with_outcome[i] += counts.outcome[i] > 0;
    }
    events.agree += counts.agree;
    model_fixed += counts.of_model(ReflectionOutcome::Fix) > 0;
    auto& [reflects, correct] = groups[s.group_index];
    reflects.push_back(s.aha_events != "[]");
    correct.push_back(s.correct);
    (s.truncated ? truncated_len : s.correct ? correct_len : incorrect_len).push_back(s.token_count);
  }
  for (int i = 0; i < kReflectionCategories; ++i)
    mt.emplace_back(std::string("reflection/") + to_string(static_cast<ReflectionCategory>(i)) + "_per_response",
                    events.behaviour[i] / n);
  const int judged = std::accumulate(events.outcome.begin() + 1, events.outcome.end(), 0);  // all but none
  for (int i = 1; i < kReflectionOutcomes; ++i) {
    const std::string name = to_string(static_cast<ReflectionOutcome>(i));
    if (judged > 0) mt.emplace_back("reflection/share_" + name, double(events.outcome[i]) / judged);
    if (i != static_cast<int>(ReflectionOutcome::Fix))  // (completions with a fix: real_aha_rate)
      mt.emplace_back("reflection/" + name + "_rate", with_outcome[i] / n);
  }
  // The model's verdicts (model_judge_events): completions with a fix by its own forced
  // answers, and how often its verdict is the text's.
  if (const int judged_by_model = std::accumulate(events.model.begin() + 1, events.model.end(), 0); judged_by_model > 0) {
    mt.emplace_back("model_fix_rate", model_fixed / n);
    mt.emplace_back("model_judge/agreement", double(events.agree) / judged_by_model);
    for (int i = 1; i < kReflectionOutcomes; ++i)
      mt.emplace_back("reflection/model_share_" + std::string(to_string(static_cast<ReflectionOutcome>(i))),
                      double(events.model[i]) / judged_by_model);
  }
  // Is reflection superficial? Accuracy with and without it, within the groups that have
  // both (Liu et al. 2025, "Understanding R1-Zero-Like Training", Fig. 13).
  double right_with = 0, with = 0, right_without = 0, without = 0;
  for (const auto& [g, rc] : groups) {
    const auto& [reflects, correct] = rc;
    const auto k = std::count(reflects.begin(), reflects.end(), true);
    if (k == 0 || k == static_cast<long>(reflects.size())) continue;
    for (size_t i = 0; i < reflects.size(); ++i) (reflects[i] ? right_with : right_without) += correct[i];
    with += k;
    without += reflects.size() - k;
  }
  if (with > 0) {
    mt.emplace_back("accuracy/with_reflection", right_with / with);
    mt.emplace_back("accuracy/without_reflection", right_without / without);
  }
  if (!correct_len.empty()) mt.emplace_back("completions/mean_length_correct", mean_of(correct_len));
  if (!incorrect_len.empty()) mt.emplace_back("completions/mean_length_incorrect", mean_of(incorrect_len));
  if (!truncated_len.empty()) mt.emplace_back("completions/mean_length_truncated", mean_of(truncated_len));
  return mt;
}

std::vector<std::pair<std::string, double>> token_lens_step_metrics(const std::vector<SampleRecord>& samples) {
  TokenLensStats lens;
  for (const auto& s : samples) {
    if (s.token_trace.empty()) continue;
    const auto trace = decode_token_trace(s.token_trace);
    if (!trace) continue;
    const auto code_points = static_cast<uint32_t>(
        std::count_if(s.completion.begin(), s.completion.end(), [](char c) { return (c & 0xC0) != 0x80; }));
    lens.add(*trace, code_points, span_ranges_from_json(s.aha_spans));
  }
  return lens.metrics();
}

namespace {

// Linear interpolation between order statistics (numpy's default).
double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * (v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

}  // namespace

void record_reflection(const Reflection& r, SampleRecord& s) {
  s.aha_score = r.score;
  s.aha_spans = spans_to_json(r.spans);
  s.aha_events = events_to_json(r.events);
  const auto counts = count_events(r.events);
  s.aha_behaviours = counts.behaviour_bits();
  s.aha_outcomes = counts.outcome_bits();
  s.real_aha = r.real_aha();
  s.language_mixing = r.language_mixing;
}

std::vector<std::pair<std::string, double>> sample_metrics(const std::vector<SampleRecord>& samples,
                                                           const std::vector<std::string>& reward_functions) {
  std::vector<double> totals, lengths, terminated_lengths;
  std::map<int, std::vector<double>> groups;
  std::map<std::string, std::vector<double>> per_func;
  double correct = 0, format_ok = 0, truncated = 0;
  for (const auto& s : samples) {
    totals.push_back(s.reward);
    lengths.push_back(s.token_count);
    groups[s.group_index].push_back(s.reward);
    for (const auto& [name, v] : s.rewards) per_func[name].push_back(v);
    correct += s.correct;
    format_ok += s.format_ok;
    truncated += s.truncated;
    if (!s.truncated) terminated_lengths.push_back(s.token_count);
  }
  // reward_std is TRL's (>= 0.28): the standard deviation over the whole batch.
  // reward_std/group_mean is ours: the mean of the groups' standard deviations, the spread
  // GRPO's advantages are made of (0 when every group agrees: nothing to learn).
  double group_std = 0, zero_std = 0, solved = 0;
  std::map<int, bool> group_solved;  // some completion of the group is right
  for (const auto& s : samples) group_solved[s.group_index] |= s.correct;
  for (const auto& [g, any] : group_solved) solved += any;
  for (const auto& [g, rewards] : groups) {
    group_std += sample_std(rewards);
    zero_std += *std::max_element(rewards.begin(), rewards.end()) - *std::min_element(rewards.begin(), rewards.end()) < 1e-9;
  }
  const double n = std::max<size_t>(1, samples.size()), n_groups = std::max<size_t>(1, groups.size());
  std::vector<std::pair<std::string, double>> mt;
  mt.emplace_back("reward", mean_of(totals));
  mt.emplace_back("reward_std", sample_std(totals));
  mt.emplace_back("reward_std/group_mean", group_std / n_groups);
  for (const auto& name : reward_functions) mt.emplace_back("rewards/" + name + "/mean", mean_of(per_func[name]));
  mt.emplace_back("accuracy", correct / n);
  mt.emplace_back("format_rate", format_ok / n);
  mt.emplace_back("pass@group", solved / n_groups);
  mt.emplace_back("completions/mean_length", mean_of(lengths));
  mt.emplace_back("completions/min_length", lengths.empty() ? 0 : *std::min_element(lengths.begin(), lengths.end()));
  mt.emplace_back("completions/max_length", lengths.empty() ? 0 : *std::max_element(lengths.begin(), lengths.end()));
  mt.emplace_back("completions/p10_length", percentile(lengths, 0.1));
  mt.emplace_back("completions/p90_length", percentile(lengths, 0.9));
  mt.emplace_back("completions/clipped_ratio", truncated / n);
  if (!terminated_lengths.empty()) mt.emplace_back("completions/mean_terminated_length", mean_of(terminated_lengths));
  mt.emplace_back("frac_reward_zero_std", zero_std / n_groups);
  for (auto& m : reflection_step_metrics(samples)) mt.push_back(std::move(m));
  for (auto& m : token_lens_step_metrics(samples)) mt.push_back(std::move(m));
  return mt;
}

const std::vector<OutcomeSeries>& aha_quality_series() {
  static const std::vector<OutcomeSeries> series = {{"fix", "real_aha_rate"},
                                                    {"confirm", "reflection/confirm_rate"},
                                                    {"miss", "reflection/miss_rate"},
                                                    {"break", "reflection/break_rate"},
                                                    {"ritual", "reflection/ritual_rate"}};
  return series;
}

}  // namespace aha
