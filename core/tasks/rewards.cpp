#include "core/tasks/rewards.h"

#include <stdexcept>

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

std::vector<std::string> known_reward_functions() { return {"accuracy", "format", "soft_overlong_punishment"}; }

double soft_overlong_punishment(int tokens, int max_completion_length, int soft_punish_cache) {
  const int free_until = max_completion_length - soft_punish_cache;
  if (tokens <= free_until) return 0.0;
  if (tokens <= max_completion_length) return double(free_until - tokens) / soft_punish_cache;
  return -1.0;
}

RewardFunction make_reward_function(const std::string& name, double weight, const LengthLimits& limits) {
  if (name == "accuracy")
    return {name, weight, [](const Task& t, const Problem& p, const ParsedResponse& r, int) {
              return r.has_answer && t.is_correct(p, r.answer) ? 1.0 : 0.0;
            }};
  if (name == "format")
    return {name, weight, [](const Task&, const Problem&, const ParsedResponse& r, int) { return r.format_ok ? 1.0 : 0.0; }};
  if (name == "soft_overlong_punishment") {
    if (limits.soft_punish_cache < 1 || limits.soft_punish_cache >= limits.max_completion_length)
      throw std::invalid_argument("soft_overlong_punishment: soft_punish_cache (" +
                                  std::to_string(limits.soft_punish_cache) + ") must be between 1 and max_completion_length (" +
                                  std::to_string(limits.max_completion_length) + ")");
    return {name, weight, [limits](const Task&, const Problem&, const ParsedResponse&, int tokens) {
              return soft_overlong_punishment(tokens, limits.max_completion_length, limits.soft_punish_cache);
            }};
  }
  throw std::invalid_argument("unknown reward function '" + name + "' (known: accuracy, format, soft_overlong_punishment)");
}

}  // namespace aha
