#pragma once
// Rule-based rewards of R1-Zero: each function returns one value per completion, and
// the total is their weighted sum (weights from the run config). Torch-free.
#include <functional>
#include <string>
#include <vector>

#include "core/tasks/task.h"

namespace aha {

// The R1-Zero response split into its parts. `response` is the completion with the
// template's opening "<think>" put back in front when the prompt ended with it.
struct ParsedResponse {
  bool format_ok = false;  // exactly <think>...</think><answer>...</answer>
  bool has_answer = false;
  std::string think, answer;
};
ParsedResponse parse_response(const std::string& response);

struct RewardFunction {
  std::string name;
  double weight = 1.0;
  // (task, problem, parsed response, the completion's length in tokens) -> reward.
  std::function<double(const Task&, const Problem&, const ParsedResponse&, int)> score;
};

// Lengths the length-aware rewards read (from the run config).
struct LengthLimits {
  int max_completion_length = 0;
  int soft_punish_cache = 0;
};

// "accuracy" (1 if the answer verifies), "format" (1 if the tags are well formed) and
// "soft_overlong_punishment" (DAPO's overlong shaping, as TRL's reward of that name).
// Throws std::invalid_argument naming the unknown function and the known ones.
RewardFunction make_reward_function(const std::string& name, double weight, const LengthLimits& limits = {});
// 0 up to max - cache tokens, then linearly down to -1 at max, and -1 beyond.
double soft_overlong_punishment(int tokens, int max_completion_length, int soft_punish_cache);
std::vector<std::string> known_reward_functions();

}  // namespace aha
