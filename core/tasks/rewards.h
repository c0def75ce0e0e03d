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
  std::function<double(const Task&, const Problem&, const ParsedResponse&)> score;
};

// "accuracy" (1 if the answer verifies) and "format" (1 if the tags are well formed).
// Throws std::invalid_argument naming the unknown function and the known ones.
RewardFunction make_reward_function(const std::string& name, double weight);
std::vector<std::string> known_reward_functions();

}  // namespace aha
