#pragma once
// Builds StepRecords of a fake run with known values, for the store's tests.
#include <string>

#include "db/run_sink.h"

namespace aha::test {

// Step `step` with `groups` prompts x `group_size` samples. Reward of sample (g, i) is
// i % 3, correct when reward is 2, completions mention "wait" when i == 1.
inline StepRecord make_step(int64_t step, int groups = 2, int group_size = 4) {
  StepRecord r;
  r.step = step;
  r.wall_time = 1000.0 + step;
  for (int g = 0; g < groups; ++g)
    for (int i = 0; i < group_size; ++i) {
      SampleRecord s;
      s.step = step;
      s.group_index = g;
      s.index_in_group = i;
      s.prompt = "prompt " + std::to_string(g) + "=";
      s.reference = std::to_string(g);
      s.completion = "step " + std::to_string(step) + (i == 1 ? " wait let me check" : " answer") +
                     " sample" + std::to_string(i);
      s.token_count = 10 + i;
      s.reward = i % 3;
      s.rewards = {{"accuracy", i % 3 == 2 ? 1.0 : 0.0}, {"format", 1.0}};
      s.advantage = s.reward - 1.0;
      s.correct = i % 3 == 2;
      s.format_ok = true;
      s.aha_score = i == 1 ? 1.0 : 0.0;
      r.samples.push_back(s);
    }
  r.metrics = {{"reward", double(step)}, {"kl", 0.5 * step}};
  return r;
}

inline RunInfo make_run(const std::string& name) {
  RunInfo info;
  info.name = name;
  info.config_toml = "num_generations = 4\n";
  info.code_version = "test";
  info.seed = 7;
  info.model = "tiny";
  info.task = "arithmetic";
  info.total_steps = 100;
  return info;
}

}  // namespace aha::test
