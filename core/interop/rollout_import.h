#pragma once
// Completions sampled elsewhere (veRL rollout dumps, TRL logs, any JSONL/CSV) become the
// same StepRecords a local run writes: grouped by prompt within a step (the GRPO group),
// with reflection detection, advantages and the per-step metrics. Torch-free.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/reflection.h"
#include "core/text/tokenizer.h"
#include "db/run_sink.h"

namespace aha {

struct RolloutSample {
  std::string prompt, completion, reference;
  double score = 0;
  std::vector<std::pair<std::string, double>> rewards;  // numeric extra fields
  std::optional<bool> correct;                          // from an "acc"/"accuracy" field
  std::string extra;                                    // other fields, JSON object text
  std::string group;                                    // GRPO group key; empty: the prompt
  std::optional<double> advantage;                      // the engine's own (TRL logs it); else computed
};

class RolloutStepBuilder {
 public:
  // `tok` (may be null) counts completion tokens; without it the length is estimated as
  // UTF-8 bytes / 4, which is close for English under byte-level BPE. `group_size` is the
  // engine's G (veRL's rollout.n): veRL dumps carry no group id and draw prompts with
  // replacement, so a prompt seen k*G times in a step is k groups, split in dump order.
  // 0: G is the most common number of samples per prompt in each step.
  RolloutStepBuilder(std::vector<LexiconEntry> lexicon, const Tokenizer* tok, bool scale_rewards = true,
                     int group_size = 0);
  StepRecord build(int64_t step, std::vector<RolloutSample> samples, double wall_time) const;

 private:
  ReflectionDetector detector_;
  const Tokenizer* tok_;
  bool scale_rewards_;
  int group_size_;
};

}  // namespace aha
