#include "core/run/metric_display.h"

#include <map>

namespace aha {

namespace {

constexpr const char* kOfCompletions = "fraction of completions";

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

std::string spaced(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '_') c = ' ';
  return out;
}

}  // namespace

MetricDisplay metric_display(std::string_view metric) {
  static const std::map<std::string_view, MetricDisplay> table = {
      {"reward", {"reward", ""}},
      {"reward_std", {"reward std within groups", ""}},
      {"accuracy", {"accuracy", "fraction"}},
      {"format_rate", {"format", "fraction"}},
      {"completions/mean_length", {"response length", "tokens"}},
      {"completions/mean_length_correct", {"length of right answers", "tokens"}},
      {"completions/mean_length_incorrect", {"length of wrong answers", "tokens"}},
      {"completions/p10_length", {"response length, 10th percentile", "tokens"}},
      {"completions/p90_length", {"response length, 90th percentile", "tokens"}},
      {"aha_rate", {"aha rate", kOfCompletions}},
      {"real_aha_rate", {"real aha rate (fix)", kOfCompletions}},
      {"model_fix_rate", {"fix rate, model-judged", kOfCompletions}},
      {"reflection/causal_fix_share", {"causal share of fixes", "fraction of fixes"}},
      {"aha_quality", {"aha quality", kOfCompletions}},
      {"kl", {"KL to the reference", "nats/token"}},
      {"entropy", {"entropy", "nats/token"}},
      {"lens/entropy_mean", {"token entropy", "nats/token"}},
      {"lens/fork_entropy", {"forking-token entropy", "nats/token"}},
      {"covariance/mean", {"covariance of log p and advantage", ""}},
      {"covariance/top_share", {"covariance share of the top 0.02% tokens", "fraction"}},
      {"covariance/top_entropy", {"entropy of the top-covariance tokens", "nats/token"}},
      {"policy_loss/cov_controlled", {"tokens under covariance control", "fraction"}},
      {"sampling/sampling_logp_difference/mean", {"sampler-trainer log p difference", "nats"}},
      {"sampling/sampling_logp_difference/max", {"sampler-trainer log p difference, max", "nats"}},
      {"sampling/importance_sampling_ratio/mean", {"sampler-trainer ratio", ""}},
      {"entropy_coef", {"entropy bonus coefficient", ""}},
      {"clip_ratio", {"clip ratio", "fraction"}},
      {"clip_ratio/region_mean", {"clip ratio", "fraction"}},
      {"grad_norm", {"gradient norm", ""}},
      {"learning_rate", {"learning rate", ""}},
      {"loss", {"loss", ""}},
      {"step_time", {"step time", "s"}},
  };
  if (const auto it = table.find(metric); it != table.end()) return it->second;
  constexpr std::string_view reflection = "reflection/", rewards = "rewards/";
  if (metric.substr(0, reflection.size()) == reflection) {
    const std::string_view rest = metric.substr(reflection.size());
    if (ends_with(rest, "_rate")) return {spaced(rest.substr(0, rest.size() - 5)) + " rate", kOfCompletions};
    if (ends_with(rest, "_per_response")) return {spaced(rest.substr(0, rest.size() - 13)) + " per response", "events"};
    if (rest.substr(0, 6) == "share_") return {spaced(rest.substr(6)) + " share of events", "fraction"};
  }
  if (metric.substr(0, rewards.size()) == rewards) {  // rewards/<name> or rewards/<name>/mean
    std::string_view name = metric.substr(rewards.size());
    if (ends_with(name, "/mean")) name = name.substr(0, name.size() - 5);
    return {spaced(name) + " reward", ""};
  }
  const auto slash = metric.rfind('/');
  return {spaced(slash == std::string_view::npos ? metric : metric.substr(slash + 1)), ""};
}

}  // namespace aha
