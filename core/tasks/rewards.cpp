#include "core/tasks/rewards.h"

#include <stdexcept>

#include "core/tasks/control_rewards.h"

namespace aha {

namespace {

size_t count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = s.find(needle); pos != std::string::npos; pos = s.find(needle, pos + needle.size())) ++n;
  return n;
}

bool blank(const std::string& s, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i)
    if (s[i] != ' ' && s[i] != '\n') return false;
  return true;
}

}  // namespace

ParsedResponse parse_response(const std::string& r) {
  ParsedResponse p;
  const size_t a_open = r.rfind("<answer>");
  if (a_open != std::string::npos) {
    const size_t a_close = r.find("</answer>", a_open);
    if (a_close != std::string::npos) {
      p.has_answer = true;
      p.answer = r.substr(a_open + 8, a_close - a_open - 8);
    }
  }
  const size_t t_open = r.find("<think>"), t_close = r.find("</think>");
  if (t_open != std::string::npos && t_close != std::string::npos && t_open < t_close)
    p.think = r.substr(t_open + 7, t_close - t_open - 7);
  // Well formed: one of each tag, in order, nothing but blanks around and between them.
  if (p.has_answer && count(r, "<think>") == 1 && count(r, "</think>") == 1 && count(r, "<answer>") == 1 &&
      count(r, "</answer>") == 1 && t_open != std::string::npos && t_close < a_open) {
    const size_t a_close = r.find("</answer>");
    p.format_ok = blank(r, 0, t_open) && blank(r, t_close + 8, a_open) && blank(r, a_close + 9, r.size());
  }
  return p;
}

std::vector<std::string> known_reward_functions() {
  return {"accuracy", "format", "soft_overlong_punishment", "random", "incorrect_label", "format_only"};
}

bool is_control_reward(const std::string& name) {
  return name == "random" || name == "incorrect_label" || name == "format_only";
}

double soft_overlong_punishment(int tokens, int max_completion_length, int soft_punish_cache) {
  const int free_until = max_completion_length - soft_punish_cache;
  if (tokens <= free_until) return 0.0;
  if (tokens <= max_completion_length) return double(free_until - tokens) / soft_punish_cache;
  return -1.0;
}

RewardFunction make_reward_function(const std::string& name, double weight, const RewardOptions& options) {
  if (name == "accuracy")
    return {name, weight, [](const RewardInput& in) {
              return in.response.has_answer && in.task.is_correct(in.problem, in.response.answer) ? 1.0 : 0.0;
            }};
  if (name == "format" || name == "format_only")
    return {name, weight, [](const RewardInput& in) { return in.response.format_ok ? 1.0 : 0.0; }};
  if (name == "soft_overlong_punishment") {
    if (options.soft_punish_cache < 1 || options.soft_punish_cache >= options.max_completion_length)
      throw std::invalid_argument("soft_overlong_punishment: soft_punish_cache (" +
                                  std::to_string(options.soft_punish_cache) + ") must be between 1 and max_completion_length (" +
                                  std::to_string(options.max_completion_length) + ")");
    return {name, weight, [options](const RewardInput& in) {
              return soft_overlong_punishment(in.tokens, options.max_completion_length, options.soft_punish_cache);
            }};
  }
  if (name == "random") {
    const double p = options.random_reward_probability;
    if (!(p >= 0.0 && p <= 1.0))
      throw std::invalid_argument("random: random_reward_probability (" + std::to_string(p) + ") must be within 0 .. 1");
    return {name, weight, [p](const RewardInput& in) { return random_reward(in.sample, p); }};
  }
  if (name == "incorrect_label")
    return {name, weight, [](const RewardInput& in) {
              const auto wrong = with_wrong_label(in.problem);  // no number: no wrong label, no reward
              return wrong && in.response.has_answer && in.task.is_correct(*wrong, in.response.answer) ? 1.0 : 0.0;
            }};
  std::string known;
  for (const auto& k : known_reward_functions()) known += (known.empty() ? "" : ", ") + k;
  throw std::invalid_argument("unknown reward function '" + name + "' (known: " + known + ")");
}

}  // namespace aha
