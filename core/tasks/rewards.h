#pragma once
// Rule-based rewards of R1-Zero: each function returns one value per completion, and
// the total is their weighted sum (weights from the run config). Torch-free.
#include <cstdint>
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

// What a reward function reads of one completion.
struct RewardInput {
  const Task& task;
  const Problem& problem;
  const ParsedResponse& response;
  int tokens = 0;         // the completion's length in tokens
  uint64_t sample = 0;    // sample_key(seed, step, group, index): the random control's draw
};

struct RewardFunction {
  std::string name;
  double weight = 1.0;
  std::function<double(const RewardInput&)> score;
};

// What the configurable rewards read (from the run config).
struct RewardOptions {
  int max_completion_length = 0;
  int soft_punish_cache = 0;
  double random_reward_probability = 0.5;
};

// "accuracy" (1 if the answer verifies), "format" (1 if the tags are well formed),
// "soft_overlong_punishment" (DAPO's overlong shaping, as TRL's reward of that name) and the
// controls of core/tasks/control_rewards.h: "random" (1 with probability p whatever the
// text), "incorrect_label" (1 if the answer verifies against a fixed wrong label),
// "format_only" (the format reward, in the place of accuracy).
// Throws std::invalid_argument naming the unknown function and the known ones.
RewardFunction make_reward_function(const std::string& name, double weight, const RewardOptions& options = {});
// The functions whose reward says nothing of the truth (the controls above).
bool is_control_reward(const std::string& name);
// 0 up to max - cache tokens, then linearly down to -1 at max, and -1 beyond.
double soft_overlong_punishment(int tokens, int max_completion_length, int soft_punish_cache);
std::vector<std::string> known_reward_functions();

}  // namespace aha
